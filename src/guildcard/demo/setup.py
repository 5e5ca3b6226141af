"""The alliance, its merchants (applied and approved), stores, staff, contracts and campaigns.

Everything goes through the alliance and loyalty services, as an operator and the owners would
do it in the pages; the clock stands on the day before the story starts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from guildcard.alliance.domain.contracts import ContractTerms
from guildcard.alliance.domain.credit_code import check_character
from guildcard.alliance.domain.model import StaffRole
from guildcard.alliance.domain.onboarding import ReviewDecision
from guildcard.alliance.services.onboarding import ApplicationForm
from guildcard.auth.tokens import TokenSubject
from guildcard.bootstrap import Container
from guildcard.demo.merchants import ALLIANCE_CODE, ALLIANCE_NAME, CITY, MERCHANTS, TRADES, MerchantSpec
from guildcard.demo.names import people
from guildcard.demo.plan import Window, at_local
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.ledger.domain.policy import ExpiryPolicy

ADMIN_LOGIN = "admin"
LAUNCH_EXPIRY_DAYS = 30  # points earned in the launch phase are a trial: 30 days


@dataclass
class SeededMerchant:
    spec: MerchantSpec
    id: str
    store_ids: list[str]
    owner: Actor
    cashiers: list[Actor]  # one per store, same order as store_ids
    logins: dict[str, str] = field(default_factory=dict)  # role -> login
    activation_tokens: dict[str, str] = field(default_factory=dict)  # role -> one-time token
    pos_key: str = ""  # the secret of the first store's POS key (scope counter:write), shown once


@dataclass
class SeededAlliance:
    id: str
    code: str
    admin: Actor
    merchants: list[SeededMerchant]
    activated: dict[str, str]  # login -> what it is, for the accounts with the demo password


def credit_code(n: int) -> str:
    body = f"91310106MA1F{n:05d}"
    return body + check_character(body)


def open_alliance(
    container: Container, *, code: str, name: str, city: str, password: str
) -> tuple[str, Actor]:
    """A new alliance whose admin has changed the initial password to ``password``: (id, admin)."""
    services = container.alliance
    assert services is not None
    created = services.alliances.create_alliance(
        code=code, name=name, city=city, admin_login=ADMIN_LOGIN, admin_name="联盟总部管理员"
    )
    session = services.auth.login(
        alliance=code, login=ADMIN_LOGIN, password=created.initial_password, client_ip="127.0.0.1"
    )
    services.auth.change_password(session.actor, current=created.initial_password, new=password)
    return created.alliance.id, session.actor


def build_alliance(container: Container, window: Window, *, password: str, seed: int) -> SeededAlliance:
    services = container.alliance
    assert services is not None
    alliance_id, admin = open_alliance(
        container, code=ALLIANCE_CODE, name=ALLIANCE_NAME, city=CITY, password=password
    )
    services.alliances.set_categories(admin, TRADES)
    # Launch-phase points are a trial (30 days); the policy becomes calendar later (activity.py).
    container.ledger().update_policies(alliance_id, expiry=ExpiryPolicy.rolling(LAUNCH_EXPIRY_DAYS))
    _campaigns(container, alliance_id, admin, window)
    rng = random.Random(seed + 1)  # noqa: S311 - demo data, reproducible on purpose
    contacts = people(rng, len(MERCHANTS) + 1)
    merchants = [
        admit_merchant(
            container,
            admin,
            n,
            spec,
            alliance_code=ALLIANCE_CODE,
            contact=contacts[n].name,
            phone=contacts[n].phone,
            effective_from=window.first,
        )
        for n, spec in enumerate(MERCHANTS)
    ]
    _pending_application(container, len(MERCHANTS), contacts[-1].name, contacts[-1].phone)
    activated = {ADMIN_LOGIN: "operator admin (联盟总部)"}
    # Argon2 makes each password cost a quarter of a second: only the printed logins get one.
    hotpot, cinema = merchants[0], next(m for m in merchants if m.spec.trade == "cinema")
    for merchant, role in ((hotpot, "owner"), (hotpot, "cashier"), (cinema, "cashier")):
        activated[merchant.logins[role]] = f"{merchant.spec.name} {role}"
    seeded = SeededAlliance(alliance_id, ALLIANCE_CODE, admin, merchants, activated)
    activate_printed(container, seeded, password)
    return seeded


def _staff_actor(container: Container, alliance_id: str, staff_id: str) -> Actor:
    """The staff member as the app would load them from a session (for seeding only)."""
    subject = TokenSubject(alliance_id, ActorKind.STAFF, staff_id, container.clock.now(), "", False)
    with container.database.read() as conn:
        actor = container.actor_loaders[ActorKind.STAFF](conn, subject)
    assert actor is not None
    return actor


def admit_merchant(
    container: Container,
    admin: Actor,
    n: int,
    spec: MerchantSpec,
    *,
    alliance_code: str,
    contact: str,
    phone: str,
    effective_from: date,
) -> SeededMerchant:
    """Apply, approve (``admin``), stores, manager, a cashier per store, a POS key, the contract."""
    services = container.alliance
    assert services is not None
    first = spec.stores[0]
    form = ApplicationForm(
        business_name=spec.name, category=spec.trade, credit_code=credit_code(n + 1),
        legal_representative=contact, contact_phone=phone, store_name=first.name,
        store_address=first.address, store_latitude=first.latitude, store_longitude=first.longitude,
    )  # fmt: skip
    submitted = services.onboarding.submit(
        alliance_code, form, client_ip=f"192.0.2.{n + 1}", idempotency_key=f"demo-apply-{spec.slug}"
    ).value
    approval = services.onboarding.review(
        admin, submitted.application.id, ReviewDecision.APPROVE, owner_login=f"{spec.slug}.owner",
        owner_name=contact, idempotency_key=f"demo-review-{spec.slug}",
    ).value  # fmt: skip
    assert approval.merchant is not None
    assert approval.store is not None
    assert approval.owner is not None
    assert approval.owner_activation_token is not None
    merchant_id, alliance_id = approval.merchant.id, admin.alliance_id
    owner = _staff_actor(container, alliance_id, approval.owner.id)
    store_ids = [approval.store.id]
    for store in spec.stores[1:]:
        created = services.stores.create(
            owner, merchant_id, name=store.name, address=store.address,
            latitude=store.latitude, longitude=store.longitude,
        )  # fmt: skip
        store_ids.append(created.value.id)
    owner = _staff_actor(container, alliance_id, approval.owner.id)  # now with every store
    rng = random.Random(f"staff-{spec.slug}")  # noqa: S311 - demo data, reproducible on purpose
    names = [p.name for p in people(rng, len(store_ids) + 1)]
    logins = {"owner": f"{spec.slug}.owner", "manager": f"{spec.slug}.manager"}
    tokens = {"owner": approval.owner_activation_token}
    manager = services.staff.create(
        owner, merchant_id, login=logins["manager"], display_name=names[0], role=StaffRole.MANAGER
    ).value
    tokens["manager"] = manager.activation_token or ""
    cashiers = []
    for i, store_id in enumerate(store_ids, 1):
        login = f"{spec.slug}.cashier{i}"
        account = services.staff.create(
            owner,
            merchant_id,
            login=login,
            display_name=names[i],
            role=StaffRole.CASHIER,
            store_ids=[store_id],
        ).value
        if i == 1:
            logins["cashier"], tokens["cashier"] = login, account.activation_token or ""
        cashiers.append(_staff_actor(container, alliance_id, account.account.id))
    _key, pos_key = services.pos_keys.create(
        owner, store_ids[0], name="前台收银机", scopes=["counter:write"]
    ).value
    earn, issue, reimburse, commission, discount, entry_fee = spec.terms
    terms = ContractTerms(
        Decimal(earn), Decimal(issue), Decimal(reimburse), Decimal(commission), Decimal(discount), entry_fee
    )
    services.contracts.set_terms(admin, merchant_id, terms, effective_from=effective_from)
    return SeededMerchant(spec, merchant_id, store_ids, owner, cashiers, logins, tokens, pos_key or "")


def activate_printed(container: Container, alliance: SeededAlliance, password: str) -> None:
    """Set the demo password on the accounts the demo prints (the others await activation)."""
    assert container.alliance is not None
    for merchant in alliance.merchants:
        for role, login in merchant.logins.items():
            if login in alliance.activated:
                container.alliance.auth.activate(token=merchant.activation_tokens[role], password=password)


def _pending_application(container: Container, n: int, contact: str, phone: str) -> None:
    """One shop still waiting for review, so the operator has something to decide."""
    assert container.alliance is not None
    form = ApplicationForm(
        business_name="乐高积木工坊", category="kids", credit_code=credit_code(n + 1),
        legal_representative=contact, contact_phone=phone, store_name="乐高积木工坊 静安寺店",
        store_address="上海市静安区南京西路1618号7楼", store_latitude="31.2239", store_longitude="121.4469",
    )  # fmt: skip
    container.alliance.onboarding.submit(
        ALLIANCE_CODE, form, client_ip="192.0.2.250", idempotency_key="demo-apply-pending"
    )


def _campaigns(container: Container, alliance_id: str, admin: Actor, window: Window) -> None:
    loyalty = container.loyalty
    loyalty.create_campaign(
        alliance_id=alliance_id, name="周三会员日 积分翻倍", multiplier=Decimal(2),
        starts_at=at_local(window.first, 0), weekdays=(3,), actor_id=admin.id,
        idempotency_key="demo-campaign-member-day",
    )  # fmt: skip
    golden_week = date(window.first.year, 10, 1)
    if window.first <= golden_week <= window.last:
        loyalty.create_campaign(
            alliance_id=alliance_id, name="国庆黄金周 1.5倍积分", multiplier=Decimal("1.5"),
            starts_at=at_local(golden_week, 0), ends_at=at_local(golden_week + timedelta(days=7), 0),
            actor_id=admin.id, idempotency_key="demo-campaign-golden-week",
        )  # fmt: skip
