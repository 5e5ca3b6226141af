"""Member codes: the member's current code, and what the counter asks of it (use it up, peek,
phone look-up, the merchant's view of the member).

The counter itself reads these in its own command's transaction (``counter_lookup.py``);
``MemberCodes`` runs them alone, each in its own transaction, for the member pages and tests.
"""

from __future__ import annotations

from datetime import datetime

from guildcard.kernel.actors import system_actor
from guildcard.members.counter_lookup import CounterLookup, CustomerView
from guildcard.members.domain import member_code
from guildcard.members.domain.model import MemberRef
from guildcard.members.errors import MemberNotFound
from guildcard.members.handlers.common import active_member
from guildcard.members.handlers.counter import RedeemMemberCode
from guildcard.members.services.base import MembersDeps

__all__ = ["CustomerView", "MemberCodes"]


class MemberCodes:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps
        self.lookup = CounterLookup(deps.cipher, deps.lookup)

    def show_member_code(self, *, alliance_id: str, member_id: str) -> member_code.ShownCode:
        """The member's current code (never one already used). Raises MemberNotFound."""
        now = self.deps.clock.now()
        with self.deps.read() as repos:
            members = repos.members
            member = active_member(members, alliance_id, member_id)
            secret = members.totp_secret(alliance_id, member_id)
            latest = members.latest_code_step(alliance_id, member_id)
        if secret is None:
            raise MemberNotFound()
        return member_code.show(member.number, secret, now=now, key=members.code_key, latest_used=latest)

    def redeem_member_code(
        self, alliance_id: str, code: str, now: datetime | None = None, *, idempotency_key: str | None = None
    ) -> MemberRef:
        """Accept a scanned or typed member code once, within its window, in its alliance.

        With ``idempotency_key`` a retry of the same request (a POS resending a top-up) gets the
        member the code was accepted for instead of ``MemberCodeAlreadyUsed``.

        Raises MemberCodeInvalid (wrong, expired, unknown, other alliance),
        MemberCodeAlreadyUsed (this code, or a newer one, was already accepted).
        """
        command = RedeemMemberCode(
            alliance_id=alliance_id, code=code, at=now, idempotency_key=idempotency_key
        )
        ref: MemberRef = self.deps.bus.execute(system_actor(alliance_id, "members.counter"), command).value
        return ref

    def lookup_by_phone_for_counter(self, alliance_id: str, phone: str) -> MemberRef:
        """Find a member by phone at the counter, only if they allow it.

        Raises InvalidPhone, MemberNotFound, LookupNotAllowed.
        """
        with self.deps.database.read() as conn:
            return self.lookup.by_phone(conn, alliance_id, phone).ref

    def customer_view_for_merchant(self, member: MemberRef, merchant_id: str) -> CustomerView:
        """The member as merchant ``merchant_id`` may see them. Raises MemberNotFound."""
        with self.deps.database.read() as conn:
            return self.lookup.view_for_merchant(conn, member, merchant_id)
