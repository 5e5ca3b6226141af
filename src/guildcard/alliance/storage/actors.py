"""Actor loaders: an operator's or staff member's current rights, from a session's subject."""

from __future__ import annotations

from sqlalchemy import Connection, select

from guildcard.alliance.domain.model import StaffRole
from guildcard.alliance.storage import repository as repo
from guildcard.alliance.storage import tables as t
from guildcard.auth.tokens import TokenSubject
from guildcard.kernel.actors import Actor, ActorKind


def load_operator(conn: Connection, subject: TokenSubject) -> Actor | None:
    c = t.operators.c
    row = conn.execute(
        select(c.id, c.role, c.disabled_at).where(
            c.alliance_id == subject.alliance_id, c.id == subject.actor_id
        )
    ).first()
    if row is None or row.disabled_at is not None:
        return None
    return Actor(kind=ActorKind.OPERATOR, id=row.id, alliance_id=subject.alliance_id, role=row.role)


def load_staff(conn: Connection, subject: TokenSubject) -> Actor | None:
    """Reloaded on every request: role, stores and disabling take effect at once."""
    account = repo.get_staff(conn, subject.alliance_id, subject.actor_id)
    if account is None or account.disabled_at is not None:
        return None
    if account.role is StaffRole.CASHIER:
        store_ids = account.store_ids
    else:  # owners and managers act at every open store of their merchant
        stores = repo.list_stores(conn, subject.alliance_id, account.merchant_id)
        store_ids = frozenset(s.id for s in stores if s.closed_at is None)
    return Actor(
        kind=ActorKind.STAFF,
        id=account.id,
        alliance_id=account.alliance_id,
        role=account.role.value,
        merchant_id=account.merchant_id,
        store_ids=store_ids,
    )


def load_account(conn: Connection, subject: TokenSubject) -> Actor | None:
    """The operator or staff member the subject names."""
    return (load_operator if subject.actor_kind is ActorKind.OPERATOR else load_staff)(conn, subject)
