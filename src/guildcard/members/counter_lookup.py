"""What the counter reads from members, on the caller's connection (the counter's command).

Member codes, phone look-ups and the merchant's view of a member are read in the counter's
own transaction: a purchase opens no other. ``redeem`` uses the code up in that transaction,
so the code is spent if and only if the purchase is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from guildcard.db.batch import WriteBatch
from guildcard.members.domain.model import ConsentKind, Member, MemberRef, has_consent
from guildcard.members.domain.pseudonyms import customer_label
from guildcard.members.errors import LookupNotAllowed, MemberNotFound
from guildcard.members.handlers.counter import CodeHolder, check_member_code, use_member_code
from guildcard.members.storage.repository import MemberRepository
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.privacy.phones import mask_phone, normalize_phone


@dataclass(frozen=True)
class CustomerView:
    """How a member appears to a merchant: shared profile, or a pseudonymous customer."""

    customer_ref: str  # stable per merchant, unrelated across merchants
    label: str  # the name when shared, else e.g. "会员 7F3K"
    shared: bool
    display_name: str | None
    phone_masked: str | None


@dataclass(frozen=True)
class CounterLookup:
    cipher: FieldCipher
    lookup: LookupHasher

    def _members(self, conn: Connection) -> MemberRepository:
        return MemberRepository(conn, self.cipher, self.lookup)

    def redeem(
        self, conn: Connection, alliance_id: str, code: str, now: datetime, writes: WriteBatch | None = None
    ) -> CodeHolder:
        """Accept a scanned or typed code once, within its window, in its alliance (``writes``: the
        use joins the command's write batch).

        Raises MemberCodeInvalid (wrong, expired, unknown, other alliance), MemberCodeAlreadyUsed.
        """
        return use_member_code(self._members(conn), alliance_id, code, now=now, writes=writes)

    def peek(self, conn: Connection, alliance_id: str, code: str, now: datetime) -> CodeHolder:
        """The member behind a code that ``redeem`` would accept now; uses nothing up."""
        return check_member_code(self._members(conn), alliance_id, code, now=now)

    def by_phone(self, conn: Connection, alliance_id: str, phone: str) -> Member:
        """A member found by phone, only if they allow it. Raises InvalidPhone, MemberNotFound,
        LookupNotAllowed."""
        return self.by_phone_sharing(conn, alliance_id, phone)[0]

    def by_phone_sharing(self, conn: Connection, alliance_id: str, phone: str) -> tuple[Member, bool]:
        """``by_phone`` and whether the member shares their profile with merchants (the same read
        of their consents)."""
        repo = self._members(conn)
        member = repo.by_phone(alliance_id, normalize_phone(phone))
        if member is None or not member.is_active:
            raise MemberNotFound()
        consents = repo.consents(alliance_id, member.member_id)
        if not has_consent(consents, ConsentKind.PHONE_LOOKUP):
            raise LookupNotAllowed()
        return member, has_consent(consents, ConsentKind.SHARING)

    def member(self, conn: Connection, alliance_id: str, member_id: str) -> Member:
        found = self._members(conn).get(alliance_id, member_id)
        if found is None:
            raise MemberNotFound()
        return found

    def view_for_merchant(self, conn: Connection, member: MemberRef, merchant_id: str) -> CustomerView:
        """The member as merchant ``merchant_id`` may see them. Raises MemberNotFound."""
        return self.view_of(conn, self.member(conn, member.alliance_id, member.member_id), merchant_id)

    def view_of(
        self, conn: Connection, found: Member, merchant_id: str, *, shares: bool | None = None
    ) -> CustomerView:
        """The view of a member already read (spares reading them again); ``shares``: their sharing
        consent when it was read with them (``CodeHolder.shares``)."""
        repo = self._members(conn)
        if shares is None:
            shares = has_consent(repo.consents(found.alliance_id, found.member_id), ConsentKind.SHARING)
        digest = repo.keyed_digest(found.member_id, scope=f"{found.alliance_id}:merchant:{merchant_id}")
        return _view(found, digest, shared=found.is_active and shares)


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
