"""Check-in rows on the caller's connection (never commits)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.rewards.domain.checkin import AfterLast, CheckinRules, StreakReset
from guildcard.rewards.storage.checkin_tables import checkin_rules, checkins


def rules_to_json(rules: CheckinRules) -> dict[str, Any]:
    values = asdict(rules)
    values["continuous"] = {str(k): v for k, v in rules.continuous.items()}
    values["cumulative"] = {str(k): v for k, v in rules.cumulative.items()}
    values["after_last"] = rules.after_last.value
    values["reset"] = rules.reset.value
    return values


def rules_from_json(stored: dict[str, Any]) -> CheckinRules:
    values = dict(stored)
    values["continuous"] = {int(k): int(v) for k, v in values.get("continuous", {}).items()}
    values["cumulative"] = {int(k): int(v) for k, v in values.get("cumulative", {}).items()}
    values["after_last"] = AfterLast(values.get("after_last", "cycle"))
    values["reset"] = StreakReset(values.get("reset", "missed"))
    return CheckinRules(**values)


class CheckinRepository:
    def __init__(self, conn: Connection, alliance_id: str) -> None:
        self.conn = conn
        self.alliance_id = alliance_id

    def rules(self) -> CheckinRules:
        stored = self.conn.execute(
            select(checkin_rules.c.rules).where(checkin_rules.c.alliance_id == self.alliance_id)
        ).scalar()
        return CheckinRules() if stored is None else rules_from_json(stored)

    def save_rules(self, rules: CheckinRules, *, actor_id: str, now: datetime) -> None:
        values = {"rules": rules_to_json(rules), "updated_at": now, "updated_by": actor_id}
        done = self.conn.execute(
            update(checkin_rules).where(checkin_rules.c.alliance_id == self.alliance_id).values(**values)
        )
        if done.rowcount == 0:
            self.conn.execute(checkin_rules.insert().values(alliance_id=self.alliance_id, **values))

    def claim_day(self, member_id: str, day: date, values: dict[str, Any]) -> bool:
        """Insert the member's row for ``day`` unless one exists (then nothing): True when inserted.

        On PostgreSQL a concurrent claim of the same day waits for the first to commit, then inserts
        nothing; the caller then reads the first one's row.
        """
        insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(checkins)
            .values(alliance_id=self.alliance_id, member_id=member_id, day=day.isoformat(), **values)
            .on_conflict_do_nothing(index_elements=["alliance_id", "member_id", "day"])
            .returning(checkins.c.day)
        )
        return self.conn.execute(stmt).first() is not None

    def set_entry(self, member_id: str, day: date, **values: Any) -> None:
        self.conn.execute(
            update(checkins)
            .where(
                checkins.c.alliance_id == self.alliance_id,
                checkins.c.member_id == member_id,
                checkins.c.day == day.isoformat(),
            )
            .values(**values)
        )

    def row(self, member_id: str, day: date) -> Any:
        return self.conn.execute(
            select(checkins).where(
                checkins.c.alliance_id == self.alliance_id,
                checkins.c.member_id == member_id,
                checkins.c.day == day.isoformat(),
            )
        ).first()

    def month(self, member_id: str, month: str) -> list[Any]:
        return list(
            self.conn.execute(
                select(checkins)
                .where(
                    checkins.c.alliance_id == self.alliance_id,
                    checkins.c.member_id == member_id,
                    checkins.c.month == month,
                )
                .order_by(checkins.c.day)
            )
        )

    def since(self, member_id: str, first: date) -> list[Any]:
        return list(
            self.conn.execute(
                select(checkins)
                .where(
                    checkins.c.alliance_id == self.alliance_id,
                    checkins.c.member_id == member_id,
                    checkins.c.day >= first.isoformat(),
                )
                .order_by(checkins.c.day)
            )
        )

    def count(self) -> int:
        return int(
            self.conn.execute(
                select(func.count()).select_from(checkins).where(checkins.c.alliance_id == self.alliance_id)
            ).scalar_one()
        )
