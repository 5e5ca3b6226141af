"""Reading and writing members; encryption of personal fields happens here and only here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guildcard.db.batch import WriteBatch
from guildcard.kernel.ids import new_id
from guildcard.members.domain.model import (
    Consent,
    ConsentKind,
    Gender,
    Member,
    MemberStatus,
    Profile,
)
from guildcard.members.domain.otp import IssuedCode
from guildcard.members.storage.people_tables import member_phone_aliases
from guildcard.members.storage.tables import (
    member_code_uses,
    member_consents,
    member_numbers,
    member_otps,
    members,
)
from guildcard.privacy.cipher import FieldCipher, LookupHasher


def _upsert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


MAX_STORED_NUMBER = 2**31 - 1  # members.number is an INTEGER column


class MemberRepository:
    def __init__(self, conn: Connection, cipher: FieldCipher, lookup: LookupHasher) -> None:
        self.conn = conn
        self._cipher = cipher
        self._lookup = lookup

    # --- keyed hashes and encryption ------------------------------------------------------

    @property
    def code_key(self) -> bytes:
        """The key that masks member numbers in member codes."""
        return self._lookup.subkey(b"guildcard member code v1")

    def phone_hash(self, alliance_id: str, phone: str) -> str:
        return self._lookup.digest(phone, scope=f"{alliance_id}:phone")

    def birthday_hash(self, alliance_id: str, birthday: date) -> str:
        return self._lookup.digest(birthday.isoformat(), scope=f"{alliance_id}:birthday")

    def keyed_digest(self, value: str, *, scope: str) -> str:
        return self._lookup.digest(value, scope=scope)

    def _seal(self, row_key: tuple[str, str], field: str, value: str | None) -> str | None:
        if value is None:
            return None
        return self._cipher.encrypt(value, context=f"member:{row_key[0]}:{row_key[1]}:{field}")

    def _open(self, row: Row[Any], field: str) -> str | None:
        token = getattr(row, f"{field}_cipher")
        if token is None:
            return None
        return self._cipher.decrypt(token, context=f"member:{row.alliance_id}:{row.member_id}:{field}")

    # --- members ----------------------------------------------------------------------------

    def next_number(self, alliance_id: str) -> int:
        """The next member number of the alliance (a locked counter row: no two alike)."""
        self.conn.execute(
            _upsert(self.conn)(member_numbers)
            .values(alliance_id=alliance_id, last_number=0)
            .on_conflict_do_nothing()
        )
        number: int = self.conn.execute(
            update(member_numbers)
            .where(member_numbers.c.alliance_id == alliance_id)
            .values(last_number=member_numbers.c.last_number + 1)
            .returning(member_numbers.c.last_number)
        ).scalar_one()
        return number

    def add(
        self,
        *,
        alliance_id: str,
        member_id: str,
        number: int,
        phone: str,
        totp_secret: str,
        pseudonym: str,
        now: datetime,
    ) -> None:
        key = (alliance_id, member_id)
        self.conn.execute(
            insert(members).values(
                alliance_id=alliance_id,
                member_id=member_id,
                number=number,
                status=MemberStatus.ACTIVE.value,
                phone_cipher=self._seal(key, "phone", phone),
                phone_hash=self.phone_hash(alliance_id, phone),
                totp_cipher=self._seal(key, "totp", totp_secret),
                pseudonym=pseudonym,
                registered_at=now,
                updated_at=now,
            )
        )

    def _member(self, row: Row[Any]) -> Member:
        birthday = self._open(row, "birthday")
        return Member(
            alliance_id=row.alliance_id,
            member_id=row.member_id,
            number=row.number,
            status=MemberStatus(row.status),
            phone=self._open(row, "phone"),
            profile=Profile(
                display_name=self._open(row, "name"),
                gender=Gender(row.gender) if row.gender else None,
                birthday=date.fromisoformat(birthday) if birthday else None,
                region=self._open(row, "region"),
            ),
            pseudonym=row.pseudonym,
            registered_at=row.registered_at,
            erased_at=row.erased_at,
        )

    def get(self, alliance_id: str, member_id: str, *, lock: bool = False) -> Member | None:
        query = select(members).where(members.c.alliance_id == alliance_id, members.c.member_id == member_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return self._member(row) if row else None

    def by_phone(self, alliance_id: str, phone: str) -> Member | None:
        phone_hash = self.phone_hash(alliance_id, phone)
        row = self.conn.execute(
            select(members).where(members.c.alliance_id == alliance_id, members.c.phone_hash == phone_hash)
        ).first()
        if row is not None and row.status == MemberStatus.MERGED.value:  # the phone of an absorbed member
            survivor = self.conn.execute(
                select(member_phone_aliases.c.member_id).where(
                    member_phone_aliases.c.alliance_id == alliance_id,
                    member_phone_aliases.c.phone_hash == phone_hash,
                )
            ).scalar()
            return self.get(alliance_id, survivor) if survivor else None
        return self._member(row) if row else None

    def by_code_number(self, alliance_id: str, number: int) -> tuple[Member, str, int | None, bool] | None:
        """The active member with this number, their TOTP secret, their latest used code step and
        whether they share their profile with merchants now (their latest sharing consent), in one
        read (the counter's hot path)."""
        if not 0 < number <= MAX_STORED_NUMBER:  # a code read in the wrong step unmasks to noise
            return None
        latest = (
            select(func.max(member_code_uses.c.step))
            .where(
                member_code_uses.c.alliance_id == members.c.alliance_id,
                member_code_uses.c.member_id == members.c.member_id,
            )
            .scalar_subquery()
        )
        sharing = (
            select(member_consents.c.granted)
            .where(
                member_consents.c.alliance_id == members.c.alliance_id,
                member_consents.c.member_id == members.c.member_id,
                member_consents.c.kind == ConsentKind.SHARING.value,
            )
            .order_by(member_consents.c.recorded_at.desc(), member_consents.c.consent_id.desc())
            .limit(1)
            .scalar_subquery()
        )
        row = self.conn.execute(
            select(members, latest.label("latest_step"), sharing.label("sharing")).where(
                members.c.alliance_id == alliance_id,
                members.c.number == number,
                members.c.status == MemberStatus.ACTIVE.value,
            )
        ).first()
        if row is None:
            return None
        secret = self._open(row, "totp")
        return (self._member(row), secret, row.latest_step, bool(row.sharing)) if secret else None

    def latest_code_step(self, alliance_id: str, member_id: str) -> int | None:
        """The time step of the member's code accepted last; None before the first use."""
        value = self.conn.execute(
            select(func.max(member_code_uses.c.step)).where(
                member_code_uses.c.alliance_id == alliance_id, member_code_uses.c.member_id == member_id
            )
        ).scalar_one()
        return None if value is None else int(value)

    def totp_secret(self, alliance_id: str, member_id: str) -> str | None:
        row = self.conn.execute(
            select(members).where(members.c.alliance_id == alliance_id, members.c.member_id == member_id)
        ).first()
        return self._open(row, "totp") if row else None

    def same_birthday(self, alliance_id: str, birthday: date, *, besides: str) -> list[Member]:
        rows = self.conn.execute(
            select(members).where(
                members.c.alliance_id == alliance_id,
                members.c.birthday_hash == self.birthday_hash(alliance_id, birthday),
                members.c.status == MemberStatus.ACTIVE.value,
                members.c.member_id != besides,
            )
        ).all()
        return [self._member(r) for r in rows]

    def status_of(self, alliance_id: str, member_id: str) -> MemberStatus | None:
        status = self.conn.execute(
            select(members.c.status).where(
                members.c.alliance_id == alliance_id, members.c.member_id == member_id
            )
        ).scalar()
        return MemberStatus(status) if status else None

    def save_profile(self, member: Member, profile: Profile, *, now: datetime) -> None:
        key = (member.alliance_id, member.member_id)
        birthday = profile.birthday
        self.conn.execute(
            update(members)
            .where(members.c.alliance_id == key[0], members.c.member_id == key[1])
            .values(
                name_cipher=self._seal(key, "name", profile.display_name),
                gender=profile.gender.value if profile.gender else None,
                birthday_cipher=self._seal(key, "birthday", birthday.isoformat() if birthday else None),
                birthday_hash=self.birthday_hash(key[0], birthday) if birthday else None,
                region_cipher=self._seal(key, "region", profile.region),
                updated_at=now,
            )
        )

    def erase(self, member: Member, *, pseudonym: str, now: datetime) -> None:
        """Destroy the identity in place: the row (and its id) stays for the ledger."""
        self.conn.execute(
            update(members)
            .where(members.c.alliance_id == member.alliance_id, members.c.member_id == member.member_id)
            .values(
                status=MemberStatus.ERASED.value,
                phone_cipher=None,
                phone_hash=None,
                name_cipher=None,
                gender=None,
                birthday_cipher=None,
                birthday_hash=None,
                region_cipher=None,
                totp_cipher=None,
                pseudonym=pseudonym,
                updated_at=now,
                erased_at=now,
            )
        )

    # --- consents --------------------------------------------------------------------------

    def consents(self, alliance_id: str, member_id: str) -> list[Consent]:
        rows = self.conn.execute(
            select(member_consents)
            .where(member_consents.c.alliance_id == alliance_id, member_consents.c.member_id == member_id)
            .order_by(member_consents.c.recorded_at, member_consents.c.consent_id)
        ).all()
        return [Consent(ConsentKind(r.kind), r.granted, r.version, r.recorded_at) for r in rows]

    def add_consent(self, alliance_id: str, member_id: str, consent: Consent) -> None:
        self.conn.execute(
            insert(member_consents).values(
                alliance_id=alliance_id,
                consent_id=new_id("cns"),
                member_id=member_id,
                kind=consent.kind.value,
                granted=consent.granted,
                version=consent.version,
                recorded_at=consent.recorded_at,
            )
        )

    # --- one-time codes -------------------------------------------------------------------

    def add_code(
        self,
        *,
        alliance_id: str,
        phone_hash: str,
        purpose: str,
        code: str,
        now: datetime,
        expires_at: datetime,
    ) -> str:
        otp_id = new_id("otp")
        self.conn.execute(
            insert(member_otps).values(
                alliance_id=alliance_id,
                otp_id=otp_id,
                phone_hash=phone_hash,
                purpose=purpose,
                code_hash=self.code_hash(otp_id, code),
                created_at=now,
                expires_at=expires_at,
                attempts=0,
            )
        )
        return otp_id

    def code_hash(self, otp_id: str, code: str) -> str:
        # Keyed: six digits hashed without a key would fall to a table of a million.
        return self._lookup.digest(code, scope=f"otp:{otp_id}")

    def last_code_sent_at(self, alliance_id: str, phone_hash: str) -> datetime | None:
        sent: datetime | None = self.conn.execute(
            select(func.max(member_otps.c.created_at)).where(
                member_otps.c.alliance_id == alliance_id, member_otps.c.phone_hash == phone_hash
            )
        ).scalar()
        return sent

    def codes_sent_since(self, alliance_id: str, phone_hash: str, since: datetime) -> int:
        count: int = self.conn.execute(
            select(func.count()).where(
                member_otps.c.alliance_id == alliance_id,
                member_otps.c.phone_hash == phone_hash,
                member_otps.c.created_at >= since,
            )
        ).scalar_one()
        return count

    def latest_code(self, alliance_id: str, phone_hash: str) -> tuple[IssuedCode, str] | None:
        """The newest code for the phone (locked) and its stored hash."""
        row = self.conn.execute(
            select(member_otps)
            .where(member_otps.c.alliance_id == alliance_id, member_otps.c.phone_hash == phone_hash)
            .order_by(member_otps.c.created_at.desc(), member_otps.c.otp_id.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if row is None:
            return None
        issued = IssuedCode(
            row.otp_id, row.created_at, row.expires_at, row.attempts, row.consumed_at is not None
        )
        return issued, row.code_hash

    def count_wrong_attempt(self, alliance_id: str, otp_id: str) -> int:
        attempts: int = self.conn.execute(
            update(member_otps)
            .where(member_otps.c.alliance_id == alliance_id, member_otps.c.otp_id == otp_id)
            .values(attempts=member_otps.c.attempts + 1)
            .returning(member_otps.c.attempts)
        ).scalar_one()
        return attempts

    def consume_code(self, alliance_id: str, otp_id: str, now: datetime) -> bool:
        """Mark the code used; False when another request used it first."""
        consumed = self.conn.execute(
            update(member_otps)
            .where(
                member_otps.c.alliance_id == alliance_id,
                member_otps.c.otp_id == otp_id,
                member_otps.c.consumed_at.is_(None),
            )
            .values(consumed_at=now)
            .returning(member_otps.c.otp_id)
        ).first()
        return consumed is not None

    def delete_code(self, alliance_id: str, otp_id: str) -> None:
        self.conn.execute(
            delete(member_otps).where(
                member_otps.c.alliance_id == alliance_id, member_otps.c.otp_id == otp_id
            )
        )

    def delete_codes_of(self, alliance_id: str, phone_hash: str) -> None:
        self.conn.execute(
            delete(member_otps).where(
                member_otps.c.alliance_id == alliance_id, member_otps.c.phone_hash == phone_hash
            )
        )

    # --- member code uses -------------------------------------------------------------------

    def record_code_use_into(
        self, writes: WriteBatch, alliance_id: str, member_id: str, step: int, now: datetime,
        *, taken: Callable[[], None],
    ) -> None:  # fmt: skip
        """``record_code_use`` in the command's write batch: ``taken()`` when the step was used already
        (raising there rolls the whole command back)."""

        def check(inserted: int) -> None:
            if not inserted:
                taken()

        row = {"alliance_id": alliance_id, "member_id": member_id, "step": step, "used_at": now}
        writes.insert(member_code_uses, [row], suffix="ON CONFLICT DO NOTHING RETURNING step", count=check)

    def record_code_use(self, alliance_id: str, member_id: str, step: int, now: datetime) -> bool:
        """Record a code's use; False when that step was used already (a replay, or a race lost)."""
        inserted = self.conn.execute(
            _upsert(self.conn)(member_code_uses)
            .values(alliance_id=alliance_id, member_id=member_id, step=step, used_at=now)
            .on_conflict_do_nothing()
            .returning(member_code_uses.c.step)
        ).first()
        return inserted is not None

    def code_uses(self, alliance_id: str, member_id: str) -> list[datetime]:
        return list(
            self.conn.execute(
                select(member_code_uses.c.used_at)
                .where(
                    member_code_uses.c.alliance_id == alliance_id, member_code_uses.c.member_id == member_id
                )
                .order_by(member_code_uses.c.used_at)
            ).scalars()
        )
