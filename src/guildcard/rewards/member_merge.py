"""A member merge's rewards part, on the merge's connection (its one transaction).

- **Coupons**: every coupon of the absorbed member (unused ones to spend, used and expired ones as
  history) becomes the survivor's. A coupon's funding moves only when it is used, by who issued it,
  so nothing is owed differently. The per-member claim counts stay on each member's own account.
- **Referrals**: the absorbed member's invitees now name the survivor as inviter (later rewards go to
  the survivor); the absorbed member's own inviter link moves when the survivor has none (one inviter
  per member); its invitation code moves when the survivor has none. A link between the two
  themselves is left as it was (it would make the survivor its own inviter).
- **Check-in** days stay on each account: a streak is the days one account checked in, and the
  points they gave already moved with the points lots.

The undo moves back exactly what moved; it refuses when a coupon that moved unused was used,
given away or voided since.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from guildcard.rewards.domain.coupons import CouponState
from guildcard.rewards.storage.coupon_tables import coupons
from guildcard.rewards.storage.referral_tables import invitations, referrals


class CannotMoveBack(Exception):
    """What moved is not all there any more: the reason, in words."""


def carry_coupons(conn: Connection, alliance_id: str, *, source: str, target: str) -> dict[str, Any]:
    c = coupons.c
    rows = conn.execute(
        select(c.coupon_id, c.state)
        .where(c.alliance_id == alliance_id, c.member_id == source)
        .order_by(c.coupon_id)
        .with_for_update()
    ).all()
    _own(conn, alliance_id, [r.coupon_id for r in rows], target)
    return {"coupons": [[r.coupon_id, r.state] for r in rows]}


def restore_coupons(
    conn: Connection, alliance_id: str, *, source: str, target: str, record: dict[str, Any]
) -> int:
    c = coupons.c
    moved = dict(record["coupons"])
    now = {
        r.coupon_id: (r.member_id, r.state)
        for r in conn.execute(
            select(c.coupon_id, c.member_id, c.state)
            .where(c.alliance_id == alliance_id, c.coupon_id.in_(list(moved)))
            .with_for_update()
        )
    }
    for coupon_id, state in moved.items():
        if now.get(coupon_id) != (source, state):
            if state == CouponState.UNUSED:
                raise CannotMoveBack("a coupon that moved was used, given away or voided since")
            raise CannotMoveBack("a coupon that moved is not the survivor's any more")
    _own(conn, alliance_id, list(moved), target)
    return len(moved)


def _own(conn: Connection, alliance_id: str, coupon_ids: list[str], member_id: str) -> None:
    if coupon_ids:
        c = coupons.c
        conn.execute(
            update(coupons)
            .where(c.alliance_id == alliance_id, c.coupon_id.in_(coupon_ids))
            .values(member_id=member_id)
        )


def carry_referrals(conn: Connection, alliance_id: str, *, source: str, target: str) -> dict[str, Any]:
    r, i = referrals.c, invitations.c
    invitees = sorted(
        conn.execute(
            select(r.invitee_id).where(
                r.alliance_id == alliance_id, r.inviter_id == source, r.invitee_id != target
            )
        ).scalars()
    )
    if invitees:
        conn.execute(
            update(referrals)
            .where(r.alliance_id == alliance_id, r.invitee_id.in_(invitees))
            .values(inviter_id=target)
        )
    mine = conn.execute(
        select(r.inviter_id).where(r.alliance_id == alliance_id, r.invitee_id == target)
    ).first()
    theirs = conn.execute(
        select(r.inviter_id).where(r.alliance_id == alliance_id, r.invitee_id == source)
    ).first()
    invited = mine is None and theirs is not None and theirs.inviter_id != target
    if invited:
        conn.execute(
            update(referrals)
            .where(r.alliance_id == alliance_id, r.invitee_id == source)
            .values(invitee_id=target)
        )
    code = None
    if (
        conn.execute(select(i.code).where(i.alliance_id == alliance_id, i.member_id == target)).first()
        is None
    ):
        code = conn.execute(
            select(i.code).where(i.alliance_id == alliance_id, i.member_id == source)
        ).scalar()
        if code is not None:
            _code_to(conn, alliance_id, code, target)
    return {"invitees": invitees, "invited": invited, "code": code}


def restore_referrals(
    conn: Connection, alliance_id: str, *, source: str, target: str, record: dict[str, Any]
) -> int:
    r = referrals.c
    if record["invitees"]:
        conn.execute(
            update(referrals)
            .where(r.alliance_id == alliance_id, r.invitee_id.in_(record["invitees"]), r.inviter_id == source)
            .values(inviter_id=target)
        )
    if record["invited"]:
        conn.execute(
            update(referrals)
            .where(r.alliance_id == alliance_id, r.invitee_id == source)
            .values(invitee_id=target)
        )
    if record["code"]:
        _code_to(conn, alliance_id, record["code"], target)
    return len(record["invitees"]) + bool(record["invited"])


def _code_to(conn: Connection, alliance_id: str, code: str, member_id: str) -> None:
    i = invitations.c
    conn.execute(
        update(invitations).where(i.alliance_id == alliance_id, i.code == code).values(member_id=member_id)
    )
