"""Referral repository: settings, invitation codes, referrals and their state changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.rewards.domain.referrals import ReferralSettings, ReferralState, Trigger
from guildcard.rewards.storage.referral_tables import invitations, referral_settings, referrals

_SETTING_FIELDS = (
    "enabled", "trigger", "inviter_points", "invitee_points", "inviter_template_id", "invitee_template_id",
    "hold_days", "monthly_cap", "burst_count", "idle_count",
)  # fmt: skip


def settings_to_dict(s: ReferralSettings) -> dict[str, Any]:
    return {name: getattr(s, name) for name in _SETTING_FIELDS} | {"trigger": s.trigger.value}


def settings_from_dict(d: Any) -> ReferralSettings:
    values = {name: d[name] for name in _SETTING_FIELDS}
    return ReferralSettings(**(values | {"trigger": Trigger(values["trigger"])}))


class ReferralRepository:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    def _insert(self) -> Any:
        return pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert

    # settings

    def settings(self, alliance_id: str) -> ReferralSettings:
        row = self.conn.execute(
            select(referral_settings).where(referral_settings.c.alliance_id == alliance_id)
        ).mappings().first()  # fmt: skip
        return settings_from_dict(row) if row is not None else ReferralSettings()

    def save_settings(self, alliance_id: str, s: ReferralSettings, *, actor_id: str, now: datetime) -> None:
        values = settings_to_dict(s) | {"updated_at": now, "updated_by": actor_id}
        statement = self._insert()(referral_settings).values(alliance_id=alliance_id, **values)
        self.conn.execute(statement.on_conflict_do_update(index_elements=["alliance_id"], set_=values))

    # invitations

    def invitation_code(self, alliance_id: str, member_id: str) -> str | None:
        i = invitations.c
        found: str | None = self.conn.execute(
            select(i.code).where(i.alliance_id == alliance_id, i.member_id == member_id)
        ).scalar()
        return found

    def add_invitation(self, alliance_id: str, member_id: str, code: str, now: datetime) -> None:
        self.conn.execute(
            self._insert()(invitations)
            .values(alliance_id=alliance_id, member_id=member_id, code=code, created_at=now)
            .on_conflict_do_nothing()
        )

    def inviter_of_code(self, alliance_id: str, code: str) -> str | None:
        i = invitations.c
        found: str | None = self.conn.execute(
            select(i.member_id).where(i.alliance_id == alliance_id, i.code == code)
        ).scalar()
        return found

    # referrals

    def bind(
        self, alliance_id: str, *, inviter_id: str, invitee_id: str, state: ReferralState, flags: list[str],
        now: datetime,
    ) -> bool:  # fmt: skip
        """Bind the invitee to the inviter; False when the invitee already has one."""
        statement = (
            self._insert()(referrals)
            .values(
                alliance_id=alliance_id, invitee_id=invitee_id, inviter_id=inviter_id, bound_at=now,
                state=state.value, flags=flags, inviter_points=0, invitee_points=0, entry_ids=[],
                coupon_ids=[], updated_at=now,
            )
            .on_conflict_do_nothing()
            .returning(referrals.c.invitee_id)
        )  # fmt: skip
        return self.conn.execute(statement).first() is not None

    def get(self, alliance_id: str, invitee_id: str, *, for_update: bool = False) -> Any:
        r = referrals.c
        query = select(referrals).where(r.alliance_id == alliance_id, r.invitee_id == invitee_id)
        return self.conn.execute(query.with_for_update() if for_update else query).first()

    def of_purchase(self, alliance_id: str, purchase_id: str) -> Any:
        r = referrals.c
        query = select(referrals).where(r.alliance_id == alliance_id, r.purchase_id == purchase_id)
        return self.conn.execute(query.with_for_update()).first()

    def recent_bindings(self, alliance_id: str, inviter_id: str, since: datetime) -> int:
        r = referrals.c
        query = select(func.count()).where(
            r.alliance_id == alliance_id, r.inviter_id == inviter_id, r.bound_at >= since
        )
        return int(self.conn.execute(query).scalar() or 0)

    def idle_invitees(self, alliance_id: str, inviter_id: str) -> int:
        r = referrals.c
        query = select(func.count()).where(
            r.alliance_id == alliance_id, r.inviter_id == inviter_id, r.state == ReferralState.BOUND.value
        )
        return int(self.conn.execute(query).scalar() or 0)

    def rewarded_in_month(self, alliance_id: str, inviter_id: str, month: str) -> int:
        r = referrals.c
        query = select(func.count()).where(
            r.alliance_id == alliance_id,
            r.inviter_id == inviter_id,
            r.reward_month == month,
            r.inviter_points > 0,
        )
        return int(self.conn.execute(query).scalar() or 0)

    def update(self, alliance_id: str, invitee_id: str, now: datetime, **values: Any) -> None:
        r = referrals.c
        self.conn.execute(
            update(referrals)
            .where(r.alliance_id == alliance_id, r.invitee_id == invitee_id)
            .values(updated_at=now, **values)
        )

    def due(self, alliance_id: str, as_of: datetime, limit: int) -> list[Any]:
        r = referrals.c
        query = (
            select(referrals)
            .where(
                r.alliance_id == alliance_id, r.state == ReferralState.PENDING.value, r.pending_until <= as_of
            )
            .order_by(r.pending_until, r.invitee_id)
            .limit(limit)
        )
        return list(self.conn.execute(query))

    def of_inviter(self, alliance_id: str, inviter_id: str) -> list[Any]:
        r = referrals.c
        query = select(referrals).where(r.alliance_id == alliance_id, r.inviter_id == inviter_id)
        return list(self.conn.execute(query.order_by(r.bound_at.desc())))

    def flagged(self, alliance_id: str) -> list[Any]:
        r = referrals.c
        query = select(referrals).where(r.alliance_id == alliance_id, r.state == ReferralState.FLAGGED.value)
        return list(self.conn.execute(query.order_by(r.bound_at)))

    def counts(self, alliance_id: str) -> dict[str, int]:
        r = referrals.c
        rows = self.conn.execute(
            select(r.state, func.count()).where(r.alliance_id == alliance_id).group_by(r.state)
        )
        return {row[0]: int(row[1]) for row in rows}

    def any_in(self, alliance_id: str, states: tuple[str, ...]) -> bool:
        """Is any referral in one of ``states``?"""
        r = referrals.c
        query = select(r.invitee_id).where(r.alliance_id == alliance_id, r.state.in_(states)).limit(1)
        return self.conn.execute(query).first() is not None
