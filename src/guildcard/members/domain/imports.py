"""Member import files as plain values: the fields, the column mapping, and cleaning one row.

Pure rules, no I/O: ``import_files`` reads CSV/XLSX into header + rows, this module turns each
row into an ``ImportRow`` or the list of what is wrong with it (row number and field).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import phonenumbers

from guildcard.members.domain.model import EARLIEST_BIRTHDAY, MAX_NAME_LEN, Gender
from guildcard.members.errors import InvalidColumnMapping

MEMBER_FIELDS = (
    "external_id",  # the merchant's own member id: the key that makes a re-import change nothing
    "name",
    "phone",
    "birthday",
    "gender",
    "registered_at",
    "opening_points",
)
REQUIRED_MEMBER_FIELDS = ("external_id", "phone")
PURCHASE_FIELDS = (
    "member",  # the merchant's member id or a phone
    "merchant",
    "store",
    "occurred_at",
    "amount",  # yuan with up to 2 decimals ("12.30") or fen with --amount-in-fen
    "order_number",
    "item_count",
)
REQUIRED_PURCHASE_FIELDS = ("member", "occurred_at", "amount", "order_number")
MAX_OPENING_POINTS = 10_000_000
MAX_EXTERNAL_ID = 64

# Header spellings recognised without a mapping (lower-cased, spaces removed).
ALIASES: dict[str, str] = {
    "member_id": "external_id", "memberid": "external_id", "id": "external_id", "会员号": "external_id",
    "会员编号": "external_id", "会员id": "external_id", "external_id": "external_id",
    "name": "name", "姓名": "name", "名字": "name",
    "phone": "phone", "mobile": "phone", "手机": "phone", "手机号": "phone", "电话": "phone",
    "birthday": "birthday", "birth": "birthday", "dob": "birthday", "生日": "birthday",
    "出生日期": "birthday",
    "gender": "gender", "sex": "gender", "性别": "gender",
    "registered_at": "registered_at", "registered": "registered_at", "注册日期": "registered_at",
    "注册时间": "registered_at", "开卡日期": "registered_at",
    "opening_points": "opening_points", "points": "opening_points", "积分": "opening_points",
    "积分余额": "opening_points", "balance": "opening_points",
    "member": "member", "会员": "member", "merchant": "merchant", "商户": "merchant", "store": "store",
    "门店": "store", "occurred_at": "occurred_at", "time": "occurred_at", "消费时间": "occurred_at",
    "amount": "amount", "金额": "amount", "消费金额": "amount", "order_number": "order_number",
    "order": "order_number", "订单号": "order_number", "item_count": "item_count", "items": "item_count",
    "件数": "item_count",
}  # fmt: skip

GENDERS = {
    "f": Gender.FEMALE, "female": Gender.FEMALE, "女": Gender.FEMALE, "w": Gender.FEMALE,
    "m": Gender.MALE, "male": Gender.MALE, "男": Gender.MALE,
    "o": Gender.OTHER, "other": Gender.OTHER, "其他": Gender.OTHER,
}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    """One problem of one row. ``problem`` is an English message id (translated by the pages), with
    ``%(limit)s`` filled from ``limit``; ``value`` is the cell as written (shown beside it)."""

    row: int  # 1-based data row (the header is row 0), as a spreadsheet user counts after the header
    field: str
    problem: str
    value: str = ""
    limit: int | None = None

    def problem_text(self, gettext: Callable[[str], str] = str) -> str:
        """What is wrong, in the language ``gettext`` translates to, the limit filled in."""
        text = gettext(self.problem)
        return text % {"limit": self.limit} if self.limit is not None else text

    @property
    def message(self) -> str:
        text = self.problem_text()
        return f"{text}: {self.value!r}" if self.value else text


@dataclass(frozen=True)
class ImportRow:
    row: int
    external_id: str
    phone: str  # E.164
    name: str | None = None
    birthday: date | None = None
    gender: Gender | None = None
    registered_at: datetime | None = None
    opening_points: int = 0


def parse_columns(spec: str | None, fields: Sequence[str]) -> dict[str, str]:
    """``"手机=phone,编号=external_id"`` -> {source header: field}; raises naming a bad part."""
    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        source, sep, target = part.partition("=")
        if not sep or not source.strip() or target.strip() not in fields:
            raise InvalidColumnMapping(
                f"{part.strip()!r}: expected source=field, field one of {', '.join(fields)}",
                part=part.strip(),
            )
        mapping[source.strip()] = target.strip()
    return mapping


def resolve_header(
    header: Sequence[str], mapping: Mapping[str, str], fields: Sequence[str], required: Sequence[str]
) -> dict[str, int]:
    """field -> column index: the mapping first, then known spellings; the required fields must be found."""
    found = guess_columns(header, fields, mapping)
    require_columns(found, required)
    return found


def guess_columns(
    header: Sequence[str], fields: Sequence[str], mapping: Mapping[str, str] | None = None
) -> dict[str, int]:
    """field -> column index from the mapping, then known spellings; no field twice; nothing required."""
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = (raw or "").strip()
        target = (mapping or {}).get(name) or ALIASES.get(name.lower().replace(" ", ""))
        if target is not None and target in fields and target not in found:
            found[target] = index
    return found


def require_columns(found: Mapping[str, int], required: Sequence[str]) -> None:
    missing = [f for f in required if f not in found]
    if missing:
        raise InvalidColumnMapping(
            f"no column for {', '.join(missing)} (map one with --columns header=field)",
            part=",".join(missing),
        )


def chosen_columns(choices: Mapping[int, str], width: int, fields: Sequence[str]) -> dict[str, int]:
    """The import page's mapping (column index -> field, or "" to ignore it) as field -> index;
    refuses an unknown field, a column outside the file, or one field chosen for two columns."""
    found: dict[str, int] = {}
    for index, target in sorted(choices.items()):
        if not target:
            continue
        if target not in fields or not 0 <= index < width:
            raise InvalidColumnMapping(f"column {index + 1}: no field {target!r}", part=str(index))
        if target in found:
            raise InvalidColumnMapping(f"{target} is chosen for two columns", part=target)
        found[target] = index
    return found


def normalize_phone(text: str, region: str = "CN") -> str | None:
    """E.164 for a valid number (``138 0013 8000``, ``+86-138…``), else None."""
    digits = text.strip()
    if not digits:
        return None
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_DATE_SHAPES = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def split_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written in 2026-11-23, 20261123, 2026/11/23, 2026年11月23日 (not checked)."""
    value = text.strip().split(" ")[0].split("T")[0]
    for shape in _DATE_SHAPES:
        found = shape.match(value)
        if found:
            year, month, day = (int(g) for g in found.groups())
            return year, month, day
    return None


def parse_date(text: str) -> date | None:
    """A real calendar date in one of the common forms, else None (an impossible date is not a crash)."""
    parts = split_date(text)
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        day = parse_date(value)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _cell(row: Sequence[object], columns: Mapping[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def clean_member_row(  # noqa: PLR0912 (one branch per field, each naming its problem)
    number: int, row: Sequence[object], columns: Mapping[str, int], *, today: date
) -> ImportRow | list[RowError]:
    """One data row checked: an ``ImportRow``, or every problem it has (each naming its field)."""
    problems: list[RowError] = []

    def bad(name: str, problem: str, value: str = "", limit: int | None = None) -> None:
        problems.append(RowError(number, name, problem, value, limit))

    external_id = _cell(row, columns, "external_id")
    if not external_id:
        bad("external_id", "the merchant's member id is missing")
    elif len(external_id) > MAX_EXTERNAL_ID:
        bad("external_id", "longer than %(limit)s characters", external_id, MAX_EXTERNAL_ID)
    phone_text = _cell(row, columns, "phone")
    phone = normalize_phone(phone_text)
    if phone is None:
        if phone_text:
            bad("phone", "not a valid phone number", phone_text)
        else:
            bad("phone", "the phone is missing")
    name = _cell(row, columns, "name") or None
    if name is not None and len(name) > MAX_NAME_LEN:
        bad("name", "longer than %(limit)s characters", name, MAX_NAME_LEN)
    birthday_text = _cell(row, columns, "birthday")
    birthday = parse_date(birthday_text) if birthday_text else None
    if birthday_text and (birthday is None or not EARLIEST_BIRTHDAY <= birthday <= today):
        bad("birthday", "not a past date after 1900", birthday_text)
    gender_text = _cell(row, columns, "gender")
    gender = GENDERS.get(gender_text.lower()) if gender_text else None
    if gender_text and gender is None:
        bad("gender", "unknown gender (男/女/其他, m/f/o)", gender_text)
    registered_text = _cell(row, columns, "registered_at")
    registered_at = parse_datetime(registered_text) if registered_text else None
    if registered_text and registered_at is None:
        bad("registered_at", "not a date", registered_text)
    points_text = _cell(row, columns, "opening_points").replace(",", "")
    points = 0
    if points_text:
        if not re.fullmatch(r"\d+", points_text):
            bad("opening_points", "not a whole number of points", points_text)
        elif int(points_text) > MAX_OPENING_POINTS:
            bad("opening_points", "more than %(limit)s points", points_text, MAX_OPENING_POINTS)
        else:
            points = int(points_text)
    if problems:
        return problems
    assert phone is not None
    return ImportRow(
        row=number,
        external_id=external_id,
        phone=phone,
        name=name,
        birthday=birthday,
        gender=gender,
        registered_at=registered_at,
        opening_points=points,
    )


@dataclass(frozen=True)
class PurchaseRow:
    row: int
    member: str  # the merchant's member id, or a phone in E.164
    member_is_phone: bool
    merchant: str | None
    store: str | None
    occurred_at: datetime
    amount_fen: int
    order_number: str
    item_count: int | None


def parse_amount_fen(text: str) -> int | None:
    value = text.strip().replace(",", "").lstrip("¥￥")
    found = re.fullmatch(r"(\d+)(?:\.(\d{1,2}))?", value)
    if not found:
        return None
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))


def clean_purchase_row(
    number: int, row: Sequence[object], columns: Mapping[str, int]
) -> PurchaseRow | list[RowError]:
    problems: list[RowError] = []
    member = _cell(row, columns, "member")
    if not member:
        problems.append(RowError(number, "member", "the member (id or phone) is missing"))
    phone = normalize_phone(member) if member and re.fullmatch(r"\+?[\d\- ]{11,16}", member) else None
    occurred_text = _cell(row, columns, "occurred_at")
    occurred = parse_datetime(occurred_text) if occurred_text else None
    if occurred is None:
        problems.append(RowError(number, "occurred_at", "not a date and time", occurred_text))
    amount_text = _cell(row, columns, "amount")
    amount = parse_amount_fen(amount_text)
    if amount is None:
        problems.append(RowError(number, "amount", "not an amount in yuan", amount_text))
    order = _cell(row, columns, "order_number")
    if not order or len(order) > 64:
        problems.append(RowError(number, "order_number", "the order number is missing or too long"))
    items_text = _cell(row, columns, "item_count")
    items = int(items_text) if items_text.isdigit() else None
    if items_text and items is None:
        problems.append(RowError(number, "item_count", "not a whole number", items_text))
    if problems:
        return problems
    assert occurred is not None
    assert amount is not None
    return PurchaseRow(
        row=number,
        member=phone or member,
        member_is_phone=phone is not None,
        merchant=_cell(row, columns, "merchant") or None,
        store=_cell(row, columns, "store") or None,
        occurred_at=occurred,
        amount_fen=amount,
        order_number=order,
        item_count=items,
    )
