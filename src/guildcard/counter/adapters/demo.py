"""A small alliance seeded into the in-memory ports: for API tests and the benchmark server.

Not for production. Since members and alliance live in other contexts (not wired yet), the
benchmark seeds its merchants, stores and members here; member codes are reusable
(``expires_at=None``) so a load generator can send them again and again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from guildcard.counter.adapters.memory import InMemoryPorts
from guildcard.counter.ports import CounterTerms, MemberRef
from guildcard.kernel.actors import Actor, ActorKind

DEMO_ALLIANCE = "al_demo"
HOTPOT, CINEMA = "mer_hotpot", "mer_cinema"
HOTPOT_STORE, CINEMA_STORE = "st_hotpot_1", "st_cinema_1"


@dataclass(frozen=True)
class DemoAlliance:
    alliance_id: str
    ports: InMemoryPorts
    actors: dict[str, Actor]  # actor id -> actor (cashiers, owner, operator)
    member_codes: list[str]  # one reusable code per member


def member_code(i: int) -> str:
    return f"demo-code-{i:06d}"


def seed_demo(since: datetime, *, members: int = 10, alliance_id: str = DEMO_ALLIANCE) -> DemoAlliance:
    ports = InMemoryPorts()
    ports.merchants.add_merchant(
        alliance_id, HOTPOT, name="小龙坎火锅", terms=CounterTerms(Decimal(1), Decimal("0.95")), since=since,
        stores=(HOTPOT_STORE,), trade_category="catering",
    )  # fmt: skip
    ports.merchants.add_merchant(
        alliance_id, CINEMA, name="万达影城", terms=CounterTerms(Decimal(2)), since=since,
        stores=(CINEMA_STORE,), trade_category="entertainment",
    )  # fmt: skip
    codes = []
    for i in range(members):
        member_id = f"mem_{i:06d}"
        masked = MemberRef(member_id, f"138****{i % 10000:04d}")
        ports.members.add(alliance_id, masked, phone=f"1380000{i:04d}")
        codes.append(ports.members.issue_code(alliance_id, member_id, member_code(i)))
    actors = {
        "stf_hotpot_cashier": Actor(
            ActorKind.STAFF, "stf_hotpot_cashier", alliance_id, role="cashier", merchant_id=HOTPOT,
            store_ids=frozenset({HOTPOT_STORE}),
        ),
        "stf_hotpot_owner": Actor(
            ActorKind.STAFF, "stf_hotpot_owner", alliance_id, role="owner", merchant_id=HOTPOT,
            store_ids=frozenset({HOTPOT_STORE}),
        ),
        "stf_cinema_cashier": Actor(
            ActorKind.STAFF, "stf_cinema_cashier", alliance_id, role="cashier", merchant_id=CINEMA,
            store_ids=frozenset({CINEMA_STORE}),
        ),
        "op_finance": Actor(ActorKind.OPERATOR, "op_finance", alliance_id, role="finance"),
    }  # fmt: skip
    return DemoAlliance(alliance_id, ports, actors, codes)
