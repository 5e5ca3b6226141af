"""Coupon repository: templates, claims (never over the total or the per-member limit), uses.

Counts move by conditional updates only: a claim bumps ``taken`` where ``taken < total`` and
the member's holding where it is below the limit; a use flips the coupon from ``unused`` where
it is still unused. No read-check-write, so concurrent tills and claimers cannot overshoot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.rewards.domain.coupons import (
    UNLIMITED,
    Audience,
    ClaimWay,
    Coupon,
    CouponKind,
    CouponRules,
    CouponState,
    CouponTemplate,
    Funding,
)
from guildcard.rewards.storage.coupon_tables import (
    coupon_holdings,
    coupon_issue_jobs,
    coupon_templates,
    coupons,
)

# --- codec --------------------------------------------------------------------------------


def rules_to_dict(rules: CouponRules) -> dict[str, Any]:
    return {
        "kind": rules.kind.value, "name": rules.name, "issuer_merchant_id": rules.issuer_merchant_id,
        "value_fen": rules.value_fen, "percent_off": rules.percent_off, "cap_fen": rules.cap_fen,
        "threshold_fen": rules.threshold_fen, "item": rules.item,
        "store_ids": sorted(rules.store_ids), "merchant_ids": sorted(rules.merchant_ids),
        "trades": sorted(rules.trades), "funding": rules.funding.value,
        "issuer_share_percent": rules.issuer_share_percent,
        "stackable_with_points": rules.stackable_with_points, "transferable": rules.transferable,
    }  # fmt: skip


def rules_from_dict(data: dict[str, Any]) -> CouponRules:
    return CouponRules(
        kind=CouponKind(data["kind"]), name=data["name"], issuer_merchant_id=data["issuer_merchant_id"],
        value_fen=int(data["value_fen"]), percent_off=int(data["percent_off"]), cap_fen=int(data["cap_fen"]),
        threshold_fen=int(data["threshold_fen"]), item=data["item"],
        store_ids=frozenset(data["store_ids"]), merchant_ids=frozenset(data["merchant_ids"]),
        trades=frozenset(data["trades"]), funding=Funding(data["funding"]),
        issuer_share_percent=int(data["issuer_share_percent"]),
        stackable_with_points=bool(data["stackable_with_points"]), transferable=bool(data["transferable"]),
    )  # fmt: skip


def template_to_dict(t: CouponTemplate) -> dict[str, Any]:
    """JSON-ready (idempotency replays)."""
    return {
        "template_id": t.template_id, "rules": rules_to_dict(t.rules), "total": t.total,
        "per_member_limit": t.per_member_limit, "claim_from": _iso(t.claim_from),
        "claim_until": _iso(t.claim_until), "use_from": _iso(t.use_from), "use_until": _iso(t.use_until),
        "valid_days": t.valid_days, "audience": t.audience.value, "tiers": sorted(t.tiers),
        "ways": sorted(w.value for w in t.ways), "points_price": t.points_price,
        "description": t.description, "active": t.active, "taken": t.taken, "used": t.used,
    }  # fmt: skip


def template_from_dict(d: dict[str, Any]) -> CouponTemplate:
    return CouponTemplate(
        template_id=d["template_id"], rules=rules_from_dict(d["rules"]), total=int(d["total"]),
        per_member_limit=int(d["per_member_limit"]), claim_from=_dt(d["claim_from"]),
        claim_until=_dt(d["claim_until"]), use_from=_dt(d["use_from"]), use_until=_dt(d["use_until"]),
        valid_days=d["valid_days"], audience=Audience(d["audience"]), tiers=frozenset(d["tiers"]),
        ways=frozenset(ClaimWay(w) for w in d["ways"]), points_price=int(d["points_price"]),
        description=d["description"], active=bool(d["active"]), taken=int(d["taken"]), used=int(d["used"]),
    )  # fmt: skip


def coupon_to_dict(c: Coupon) -> dict[str, Any]:
    return {
        "coupon_id": c.coupon_id, "code": c.code, "template_id": c.template_id, "member_id": c.member_id,
        "rules": rules_to_dict(c.rules), "valid_from": _iso(c.valid_from), "valid_until": _iso(c.valid_until),
        "state": c.state.value, "origin": c.origin.value, "claimed_at": _iso(c.claimed_at),
        "purchase_id": c.purchase_id, "used_at": _iso(c.used_at), "used_merchant_id": c.used_merchant_id,
        "used_store_id": c.used_store_id, "discount_fen": c.discount_fen,
    }  # fmt: skip


def coupon_from_dict(d: dict[str, Any]) -> Coupon:
    valid_from, valid_until = _dt(d["valid_from"]), _dt(d["valid_until"])
    assert valid_from is not None
    assert valid_until is not None
    return Coupon(
        coupon_id=d["coupon_id"], code=d["code"], template_id=d["template_id"], member_id=d["member_id"],
        rules=rules_from_dict(d["rules"]), valid_from=valid_from, valid_until=valid_until,
        state=CouponState(d["state"]), origin=ClaimWay(d["origin"]), claimed_at=_dt(d["claimed_at"]),
        purchase_id=d["purchase_id"], used_at=_dt(d["used_at"]), used_merchant_id=d["used_merchant_id"],
        used_store_id=d["used_store_id"], discount_fen=int(d["discount_fen"]),
    )  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _template(row: Any) -> CouponTemplate:
    return CouponTemplate(
        template_id=row.template_id, rules=rules_from_dict(row.rules), total=int(row.total),
        per_member_limit=int(row.per_member_limit), claim_from=row.claim_from, claim_until=row.claim_until,
        use_from=row.use_from, use_until=row.use_until, valid_days=row.valid_days,
        audience=Audience(row.audience), tiers=frozenset(row.tiers),
        ways=frozenset(ClaimWay(w) for w in row.ways), points_price=int(row.points_price),
        description=row.description, active=bool(row.active), taken=int(row.taken), used=int(row.used),
    )  # fmt: skip


def _coupon(row: Any) -> Coupon:
    return Coupon(
        coupon_id=row.coupon_id, code=row.code, template_id=row.template_id, member_id=row.member_id,
        rules=rules_from_dict(row.rules), valid_from=row.valid_from, valid_until=row.valid_until,
        state=CouponState(row.state), origin=ClaimWay(row.origin), claimed_at=row.claimed_at,
        purchase_id=row.purchase_id, used_at=row.used_at, used_merchant_id=row.used_merchant_id,
        used_store_id=row.used_store_id, discount_fen=int(row.discount_fen),
    )  # fmt: skip


# --- the repository -----------------------------------------------------------------------


class CouponRepository:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    # templates

    def add_template(self, alliance_id: str, t: CouponTemplate, *, actor_id: str, now: datetime) -> None:
        self.conn.execute(
            insert(coupon_templates).values(
                alliance_id=alliance_id,
                template_id=t.template_id,
                issuer_merchant_id=t.rules.issuer_merchant_id,
                name=t.rules.name,
                kind=t.rules.kind.value,
                rules=rules_to_dict(t.rules),
                total=t.total,
                per_member_limit=t.per_member_limit,
                claim_from=t.claim_from,
                claim_until=t.claim_until,
                use_from=t.use_from,
                use_until=t.use_until,
                valid_days=t.valid_days,
                audience=t.audience.value,
                tiers=sorted(t.tiers),
                ways=sorted(w.value for w in t.ways),
                points_price=t.points_price,
                description=t.description,
                active=t.active,
                taken=0,
                used=0,
                cost_fen=0,
                created_at=now,
                created_by=actor_id,
            )
        )

    def get_template(self, alliance_id: str, template_id: str) -> CouponTemplate | None:
        row = self.conn.execute(
            select(coupon_templates).where(
                coupon_templates.c.alliance_id == alliance_id, coupon_templates.c.template_id == template_id
            )
        ).first()
        return _template(row) if row is not None else None

    def list_templates(
        self, alliance_id: str, *, issuer_merchant_id: str | None = None, alliance_only: bool = False
    ) -> list[CouponTemplate]:
        t = coupon_templates.c
        query = select(coupon_templates).where(t.alliance_id == alliance_id)
        if issuer_merchant_id is not None:
            query = query.where(t.issuer_merchant_id == issuer_merchant_id)
        elif alliance_only:
            query = query.where(t.issuer_merchant_id.is_(None))
        return [_template(r) for r in self.conn.execute(query.order_by(t.template_id.desc()))]

    def template_costs(self, alliance_id: str) -> dict[str, int]:
        t = coupon_templates.c
        rows = self.conn.execute(select(t.template_id, t.cost_fen).where(t.alliance_id == alliance_id))
        return {r.template_id: int(r.cost_fen) for r in rows}

    def set_active(self, alliance_id: str, template_id: str, active: bool) -> None:
        t = coupon_templates.c
        self.conn.execute(
            update(coupon_templates)
            .where(t.alliance_id == alliance_id, t.template_id == template_id)
            .values(active=active)
        )

    # claims

    def take_one(self, alliance_id: str, template: CouponTemplate, member_id: str) -> str | None:
        """Count one claim for ``member_id``; None when it fits, else "limit" or "sold_out"."""
        if template.per_member_limit != UNLIMITED and not self._hold_one(alliance_id, template, member_id):
            return "limit"
        t = coupon_templates.c
        taken = self.conn.execute(
            update(coupon_templates)
            .where(t.alliance_id == alliance_id, t.template_id == template.template_id)
            .where((t.total == UNLIMITED) | (t.taken < t.total))
            .values(taken=t.taken + 1)
        )
        return None if taken.rowcount == 1 else "sold_out"

    def _hold_one(self, alliance_id: str, template: CouponTemplate, member_id: str) -> bool:
        h = coupon_holdings
        dialect_insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        statement = dialect_insert(h).values(
            alliance_id=alliance_id, template_id=template.template_id, member_id=member_id, taken=1
        )
        statement = statement.on_conflict_do_update(
            index_elements=[h.c.alliance_id, h.c.template_id, h.c.member_id],
            set_={"taken": h.c.taken + 1},
            where=h.c.taken < template.per_member_limit,
        )
        # RETURNING rather than rowcount: drivers disagree on rowcount for ON CONFLICT.
        return self.conn.execute(statement.returning(h.c.taken)).first() is not None

    def add_coupon(
        self, alliance_id: str, coupon: Coupon, *, claim_key: str | None = None,
        from_coupon_id: str | None = None, points_entry_id: str | None = None,
    ) -> None:  # fmt: skip
        assert coupon.claimed_at is not None
        self.conn.execute(
            insert(coupons).values(
                alliance_id=alliance_id,
                coupon_id=coupon.coupon_id,
                code=coupon.code,
                template_id=coupon.template_id,
                member_id=coupon.member_id,
                rules=rules_to_dict(coupon.rules),
                state=coupon.state.value,
                origin=coupon.origin.value,
                claim_key=claim_key,
                valid_from=coupon.valid_from,
                valid_until=coupon.valid_until,
                claimed_at=coupon.claimed_at,
                from_coupon_id=from_coupon_id,
                discount_fen=0,
                points_entry_id=points_entry_id,
            )
        )

    def by_claim_key(self, alliance_id: str, claim_key: str) -> Coupon | None:
        row = self.conn.execute(
            select(coupons).where(coupons.c.alliance_id == alliance_id, coupons.c.claim_key == claim_key)
        ).first()
        return _coupon(row) if row is not None else None

    # coupons

    def get(self, alliance_id: str, coupon_id: str, *, for_update: bool = False) -> Coupon | None:
        query = select(coupons).where(coupons.c.alliance_id == alliance_id, coupons.c.coupon_id == coupon_id)
        row = self.conn.execute(query.with_for_update() if for_update else query).first()
        return _coupon(row) if row is not None else None

    def by_code(self, alliance_id: str, code: str) -> Coupon | None:
        row = self.conn.execute(
            select(coupons).where(coupons.c.alliance_id == alliance_id, coupons.c.code == code)
        ).first()
        return _coupon(row) if row is not None else None

    def of_member(
        self, alliance_id: str, member_id: str, *, states: Iterable[CouponState] = ()
    ) -> list[Coupon]:
        c = coupons.c
        query = select(coupons).where(c.alliance_id == alliance_id, c.member_id == member_id)
        wanted = [s.value for s in states]
        if wanted:
            query = query.where(c.state.in_(wanted))
        return [_coupon(r) for r in self.conn.execute(query.order_by(c.valid_until, c.coupon_id))]

    def of_purchase(self, alliance_id: str, purchase_id: str) -> list[Coupon]:
        c = coupons.c
        rows = self.conn.execute(
            select(coupons).where(c.alliance_id == alliance_id, c.purchase_id == purchase_id)
        )
        return [_coupon(r) for r in rows]

    def held_counts(self, alliance_id: str, member_id: str) -> dict[str, int]:
        h = coupon_holdings.c
        rows = self.conn.execute(
            select(h.template_id, h.taken).where(h.alliance_id == alliance_id, h.member_id == member_id)
        )
        return {r.template_id: int(r.taken) for r in rows}

    def mark_used(
        self, alliance_id: str, coupon: Coupon, *, purchase_id: str, merchant_id: str, store_id: str,
        discount_fen: int, now: datetime,
    ) -> Coupon | None:  # fmt: skip
        """Flip ``coupon`` from unused to used, once: None when another till got there first."""
        c = coupons.c
        done = self.conn.execute(
            update(coupons)
            .where(
                c.alliance_id == alliance_id,
                c.coupon_id == coupon.coupon_id,
                c.state == CouponState.UNUSED.value,
            )
            .values(
                state=CouponState.USED.value,
                purchase_id=purchase_id,
                used_at=now,
                used_merchant_id=merchant_id,
                used_store_id=store_id,
                discount_fen=discount_fen,
            )
        )
        if done.rowcount != 1:
            return None
        t = coupon_templates.c
        self.conn.execute(
            update(coupon_templates)
            .where(t.alliance_id == alliance_id, t.template_id == coupon.template_id)
            .values(used=t.used + 1, cost_fen=t.cost_fen + discount_fen)
        )
        return replace(
            coupon, state=CouponState.USED, purchase_id=purchase_id, used_at=now,
            used_merchant_id=merchant_id, used_store_id=store_id, discount_fen=discount_fen,
        )  # fmt: skip

    def set_funding_entry(self, alliance_id: str, coupon_id: str, entry_id: str | None) -> None:
        c = coupons.c
        self.conn.execute(
            update(coupons)
            .where(c.alliance_id == alliance_id, c.coupon_id == coupon_id)
            .values(funding_entry_id=entry_id)
        )

    def funding_entry(self, alliance_id: str, coupon_id: str) -> str | None:
        c = coupons.c
        found: str | None = self.conn.execute(
            select(c.funding_entry_id).where(c.alliance_id == alliance_id, c.coupon_id == coupon_id)
        ).scalar()
        return found

    def give_back(self, alliance_id: str, coupon: Coupon, *, state: CouponState) -> bool:
        """A refunded purchase's coupon: unused again (or expired), once."""
        c = coupons.c
        done = self.conn.execute(
            update(coupons)
            .where(
                c.alliance_id == alliance_id,
                c.coupon_id == coupon.coupon_id,
                c.state == CouponState.USED.value,
            )
            .values(
                state=state.value,
                purchase_id=None,
                used_at=None,
                used_merchant_id=None,
                used_store_id=None,
                discount_fen=0,
                funding_entry_id=None,
            )
        )
        if done.rowcount != 1:
            return False
        t = coupon_templates.c
        self.conn.execute(
            update(coupon_templates)
            .where(t.alliance_id == alliance_id, t.template_id == coupon.template_id)
            .values(used=t.used - 1, cost_fen=t.cost_fen - coupon.discount_fen)
        )
        return True

    def mark_transferred(self, alliance_id: str, coupon_id: str) -> bool:
        c = coupons.c
        done = self.conn.execute(
            update(coupons)
            .where(
                c.alliance_id == alliance_id, c.coupon_id == coupon_id, c.state == CouponState.UNUSED.value
            )
            .values(state=CouponState.TRANSFERRED.value)
        )
        return bool(done.rowcount == 1)

    # figures

    def counts(self, alliance_id: str) -> dict[str, int]:
        c = coupons.c
        rows = self.conn.execute(
            select(c.state, func.count()).where(c.alliance_id == alliance_id).group_by(c.state)
        )
        return {r[0]: int(r[1]) for r in rows}

    # bulk issue jobs

    def add_job(
        self,
        alliance_id: str,
        job_id: str,
        template_id: str,
        member_ids: list[str],
        *,
        actor_id: str,
        now: datetime,
    ) -> None:
        self.conn.execute(
            insert(coupon_issue_jobs).values(
                alliance_id=alliance_id,
                job_id=job_id,
                template_id=template_id,
                member_ids=member_ids,
                done=0,
                issued=0,
                skipped=[],
                state="running",
                created_at=now,
                created_by=actor_id,
                updated_at=now,
            )
        )

    def get_job(self, alliance_id: str, job_id: str, *, for_update: bool = False) -> Any:
        j = coupon_issue_jobs.c
        query = select(coupon_issue_jobs).where(j.alliance_id == alliance_id, j.job_id == job_id)
        return self.conn.execute(query.with_for_update() if for_update else query).first()

    def save_job_progress(
        self,
        alliance_id: str,
        job_id: str,
        *,
        done: int,
        issued: int,
        skipped: list[list[str]],
        now: datetime,
        finished: bool,
    ) -> None:
        j = coupon_issue_jobs.c
        self.conn.execute(
            update(coupon_issue_jobs)
            .where(j.alliance_id == alliance_id, j.job_id == job_id)
            .values(
                done=done,
                issued=issued,
                skipped=skipped,
                updated_at=now,
                state="finished" if finished else "running",
            )
        )
