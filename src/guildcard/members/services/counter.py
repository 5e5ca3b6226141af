"""What the counter needs from members: the member code, phone look-up, and the merchant's view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.kernel.actors import system_actor
from guildcard.members.domain import member_code
from guildcard.members.domain.model import ConsentKind, Member, MemberRef, has_consent
from guildcard.members.domain.pseudonyms import customer_label
from guildcard.members.errors import LookupNotAllowed, MemberNotFound
from guildcard.members.handlers.common import active_member
from guildcard.members.handlers.counter import RedeemMemberCode, check_member_code, use_member_code
from guildcard.members.services.base import MembersDeps, Repositories
from guildcard.privacy.phones import mask_phone, normalize_phone


@dataclass(frozen=True)
class CustomerView:
    """How a member appears to a merchant: shared profile, or a pseudonymous customer."""

    customer_ref: str  # stable per merchant, unrelated across merchants
    label: str  # the name when shared, else e.g. "会员 7F3K"
    shared: bool
    display_name: str | None
    phone_masked: str | None


class CounterService:
    def __init__(self, deps: MembersDeps) -> None:
        self.deps = deps

    def show_member_code(self, *, alliance_id: str, member_id: str) -> member_code.ShownCode:
        """The member's current code. Raises MemberNotFound."""
        now = self.deps.clock.now()
        with self.deps.read() as repos:
            member = active_member(repos.members, alliance_id, member_id)
            secret = repos.members.totp_secret(alliance_id, member_id)
        if secret is None:
            raise MemberNotFound()
        return member_code.show(member.number, secret, now=now)

    def redeem_member_code(self, alliance_id: str, code: str, now: datetime | None = None) -> MemberRef:
        """Accept a scanned or typed member code once, within its window, in its alliance.

        Raises MemberCodeInvalid (wrong, expired, unknown, other alliance),
        MemberCodeAlreadyUsed (this code, or a newer one, was already accepted).
        """
        command = RedeemMemberCode(alliance_id=alliance_id, code=code, at=now)
        ref: MemberRef = self.deps.bus.execute(system_actor(alliance_id, "members.counter"), command).value
        return ref

    def redeem_member_code_in(
        self, conn: Connection, alliance_id: str, code: str, now: datetime | None = None
    ) -> MemberRef:
        """``redeem_member_code`` inside the caller's transaction (the counter's commit), so the
        code is used up if and only if the purchase is recorded."""
        members = Repositories(conn, self.deps).members
        return use_member_code(members, alliance_id, code, now=now or self.deps.clock.now())

    def peek_member_code(self, alliance_id: str, code: str, now: datetime | None = None) -> MemberRef:
        """The member behind a code that ``redeem_member_code`` would accept now; uses nothing up."""
        with self.deps.read() as repos:
            member, _ = check_member_code(repos.members, alliance_id, code, now=now or self.deps.clock.now())
        return member.ref

    def lookup_by_phone_for_counter(self, alliance_id: str, phone: str) -> MemberRef:
        """Find a member by phone at the counter, only if they allow it.

        Raises InvalidPhone, MemberNotFound, LookupNotAllowed.
        """
        e164 = normalize_phone(phone)
        with self.deps.read() as repos:
            member = repos.members.by_phone(alliance_id, e164)
            if member is None or not member.is_active:
                raise MemberNotFound()
            allowed = has_consent(
                repos.members.consents(alliance_id, member.member_id), ConsentKind.PHONE_LOOKUP
            )
        if not allowed:
            raise LookupNotAllowed()
        return member.ref

    def customer_view_for_merchant(self, member: MemberRef, merchant_id: str) -> CustomerView:
        """The member as merchant ``merchant_id`` may see them. Raises MemberNotFound."""
        with self.deps.read() as repos:
            found = repos.members.get(member.alliance_id, member.member_id)
            if found is None:
                raise MemberNotFound()
            consents = repos.members.consents(member.alliance_id, member.member_id)
            ref = repos.members.keyed_digest(
                found.member_id, scope=f"{found.alliance_id}:merchant:{merchant_id}"
            )
        return _view(found, ref, shared=found.is_active and has_consent(consents, ConsentKind.SHARING))


def _view(member: Member, ref_digest: str, *, shared: bool) -> CustomerView:
    label = customer_label(ref_digest)
    if shared and member.profile.display_name:
        return CustomerView(
            customer_ref=f"cus_{ref_digest[:20]}",
            label=member.profile.display_name,
            shared=True,
            display_name=member.profile.display_name,
            phone_masked=mask_phone(member.phone) if member.phone else None,
        )
    if shared and member.phone:
        return CustomerView(f"cus_{ref_digest[:20]}", label, True, None, mask_phone(member.phone))
    return CustomerView(f"cus_{ref_digest[:20]}", label, False, None, None)
