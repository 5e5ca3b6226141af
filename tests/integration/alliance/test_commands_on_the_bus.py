"""The alliance's writes on the command bus: replays, conflicts, events in the outbox, terms versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.alliance.world import TERMS, application_body, make_client

from guildcard.alliance.domain.contracts import ContractTerms
from guildcard.alliance.domain.errors import Forbidden
from guildcard.alliance.domain.model import MerchantStatus, StaffRole
from guildcard.alliance.domain.onboarding import ApplicationForm, ReviewDecision
from guildcard.alliance.services.facade import AllianceServices
from guildcard.audit.tables import audit_log
from guildcard.db.engine import Database
from guildcard.db.tables import outbox_events
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import IdempotencyConflict
from guildcard.pipeline import outbox, versions


@dataclass
class World:
    services: AllianceServices
    database: Database
    alliance_id: str
    admin: Actor
    owner: Actor
    merchant_id: str
    store_id: str

    def counts(self) -> tuple[int, int]:
        """(audit lines, outbox events) of the alliance: what a command writes besides its objects."""
        with self.database.read() as conn:
            audits = conn.execute(
                select(func.count()).where(audit_log.c.alliance_id == self.alliance_id)
            ).scalar_one()
            events = conn.execute(
                select(func.count()).where(outbox_events.c.alliance_id == self.alliance_id)
            ).scalar_one()
        return audits, events

    def events(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.database.read() as conn:
            return [(e.name, e.subject, e.payload) for e in outbox.pending(conn, self.alliance_id)]

    def terms_version(self) -> int:
        with self.database.read() as conn:
            return versions.current(conn, self.alliance_id).get("terms", 0)


def form(n: int, **changes: str) -> ApplicationForm:
    return ApplicationForm(**application_body(n, **changes))


@pytest.fixture
def world(database: Database) -> World:
    _client, container = make_client(database)
    services = container.alliance
    assert services is not None
    created = services.alliances.create_alliance(
        code="bus", name="总线联盟", city="上海", admin_login="admin"
    )
    alliance_id = created.alliance.id
    admin = Actor(ActorKind.OPERATOR, created.admin.id, alliance_id, role="admin")
    submitted = services.onboarding.submit("bus", form(1), client_ip="10.0.0.1", idempotency_key=None)
    approval = services.onboarding.review(
        admin, submitted.value.application.id, ReviewDecision.APPROVE, owner_login="owner-1"
    ).value
    assert approval.merchant
    assert approval.store
    assert approval.owner
    owner = Actor(
        ActorKind.STAFF, approval.owner.id, alliance_id, role="owner", merchant_id=approval.merchant.id
    )
    return World(services, database, alliance_id, admin, owner, approval.merchant.id, approval.store.id)


# --- replays and conflicts, for a store, an application, a review, a POS key and staff ------------

Call = Callable[[World, str, bool], Any]  # (world, idempotency key, change the body?) -> Created


def create_store(w: World, key: str, other: bool) -> Any:
    return w.services.stores.create(
        w.owner,
        w.merchant_id,
        name="二店" if not other else "三店",
        address="上海市徐汇区",
        latitude="31.19",
        longitude="121.43",
        idempotency_key=key,
    )


def submit_application(w: World, key: str, other: bool) -> Any:
    return w.services.onboarding.submit(
        "bus",
        form(2, store_name="另一家店" if other else "蜀香二号"),
        client_ip="10.0.0.2",
        idempotency_key=key,
    )


def review_application(w: World, key: str, other: bool) -> Any:
    application_id = w.services.onboarding.submit(
        "bus", form(3), client_ip="10.0.0.3", idempotency_key="apply-3"
    ).value.application.id
    decision = ReviewDecision.REJECT if other else ReviewDecision.APPROVE
    return w.services.onboarding.review(
        w.admin,
        application_id,
        decision,
        reason="不符合" if other else None,
        owner_login="owner-3",
        idempotency_key=key,
    )


def issue_pos_key(w: World, key: str, other: bool) -> Any:
    scopes = ["counter:write", "counter:read"] if other else ["counter:write"]
    return w.services.pos_keys.create(w.owner, w.store_id, name="POS", scopes=scopes, idempotency_key=key)


def create_staff(w: World, key: str, other: bool) -> Any:
    return w.services.staff.create(
        w.owner,
        w.merchant_id,
        login="cashier-1",
        display_name="收银" if not other else "别人",
        role=StaffRole.CASHIER,
        store_ids=[w.store_id],
        idempotency_key=key,
    )


def object_id(value: Any) -> str:
    """The id of what a create made (a store, a submitted application, an approval, a key, an account)."""
    for attr in ("id", "application", "account", "merchant"):
        if hasattr(value, attr):
            inner = getattr(value, attr)
            return inner if isinstance(inner, str) else object_id(inner)
    return object_id(value[0])  # (PosKey, secret)


def secret_of(value: Any) -> str | None:
    """The secret shown once, if the command has one."""
    for attr in ("applicant_token", "owner_activation_token", "activation_token"):
        if hasattr(value, attr):
            return getattr(value, attr)
    return value[1] if isinstance(value, tuple) else None


COMMANDS = {
    "store.create": create_store,
    "application.submit": submit_application,
    "application.review": review_application,
    "pos_key.create": issue_pos_key,
    "staff.create": create_staff,
}
SHOWS_A_SECRET = {submit_application, review_application, issue_pos_key, create_staff}


@pytest.mark.parametrize("call", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_replay_returns_the_first_result_and_writes_nothing_more(world: World, call: Call) -> None:
    first = call(world, "key-1", False)
    after_first = world.counts()
    again = call(world, "key-1", False)
    assert not first.replayed
    assert again.replayed
    assert object_id(again.value) == object_id(first.value)
    assert world.counts() == after_first
    if call in SHOWS_A_SECRET:
        assert secret_of(first.value), "the first answer shows the secret"
        assert secret_of(again.value) is None, "a secret is shown once, never on a replay"


@pytest.mark.parametrize("call", COMMANDS.values(), ids=COMMANDS.keys())
def test_the_same_key_with_another_body_is_a_conflict(world: World, call: Call) -> None:
    call(world, "key-2", False)
    before = world.counts()
    with pytest.raises(IdempotencyConflict):
        call(world, "key-2", True)
    assert world.counts() == before


def test_a_replay_is_refused_to_whom_may_not_do_the_first_request(world: World) -> None:
    issue_pos_key(world, "key-3", False)
    cashier = Actor(
        ActorKind.STAFF,
        "stf_cashier",
        world.alliance_id,
        role="cashier",
        merchant_id=world.merchant_id,
        store_ids=frozenset({world.store_id}),
    )
    with pytest.raises(Forbidden):
        world.services.pos_keys.create(
            cashier, world.store_id, name="POS", scopes=["counter:write"], idempotency_key="key-3"
        )


# --- events and configuration versions ------------------------------------------------------------


def test_the_admission_emits_its_events_with_ids_and_statuses_only(world: World) -> None:
    names = [name for name, _subject, _payload in world.events()]
    assert names == [
        "alliance.alliance_created",
        "alliance.application_submitted",
        "alliance.merchant_admitted",
        "alliance.store_created",
        "alliance.staff_added",
        "alliance.application_reviewed",
    ]
    admitted = next(e for e in world.events() if e[0] == "alliance.merchant_admitted")
    assert admitted[1] == world.merchant_id
    assert admitted[2]["status"] == "active"
    payloads = repr([payload for _name, _subject, payload in world.events()])
    assert "1381234" not in payloads, "no phone number in events"
    assert "张伟" not in payloads, "no names in events"


def test_store_staff_and_key_commands_emit_their_events(world: World) -> None:
    store = create_store(world, "s", False).value
    world.services.stores.update(world.owner, store.id, closed=True)
    world.services.stores.update(world.owner, store.id, name="改名")  # not an open/close: no event
    world.services.stores.update(world.owner, store.id, closed=False)
    account = create_staff(world, "c", False).value.account
    world.services.staff.update(world.owner, account.id, disabled=True)
    key = issue_pos_key(world, "k", False).value[0]
    world.services.pos_keys.revoke(world.owner, key.id)
    world.services.pos_keys.revoke(world.owner, key.id)  # already revoked: nothing happens
    events = [(name, subject) for name, subject, _payload in world.events()][6:]
    assert events == [
        ("alliance.store_created", store.id),
        ("alliance.store_closed", store.id),
        ("alliance.store_reopened", store.id),
        ("alliance.staff_added", account.id),
        ("alliance.staff_removed", account.id),
        ("alliance.pos_key_issued", key.id),
        ("alliance.pos_key_revoked", key.id),
    ]


def test_a_contract_change_bumps_the_terms_version_and_is_announced(world: World) -> None:
    before = world.terms_version()
    signed = world.services.contracts.set_terms(
        world.admin, world.merchant_id, ContractTerms.from_mapping(TERMS), effective_from=date(2026, 12, 1)
    ).value
    assert world.terms_version() == before + 1
    assert world.events()[-1] == (
        "alliance.contract_signed",
        signed.id,
        {"merchant_id": world.merchant_id, "effective_from": "2026-12-01"},
    )


def test_suspending_and_reinstating_a_merchant_bump_the_terms_version(world: World) -> None:
    before = world.terms_version()
    merchants = world.services.merchants
    merchants.set_status(world.admin, world.merchant_id, MerchantStatus.SUSPENDED, reason="未结算")
    assert world.terms_version() == before + 1
    merchants.set_status(world.admin, world.merchant_id, MerchantStatus.ACTIVE, reason=None)
    assert world.terms_version() == before + 2
    assert [e[:2] for e in world.events()[-2:]] == [
        ("alliance.merchant_suspended", world.merchant_id),
        ("alliance.merchant_reinstated", world.merchant_id),
    ]


def test_a_refused_command_leaves_no_event_and_no_version_behind(world: World) -> None:
    before, version = world.counts(), world.terms_version()
    with pytest.raises(Forbidden):  # a store owner may not suspend a merchant, not even their own
        world.services.merchants.set_status(
            world.owner, world.merchant_id, MerchantStatus.SUSPENDED, reason="x"
        )
    assert world.counts() == before
    assert world.terms_version() == version
