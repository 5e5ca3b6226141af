"""Turn a person record (any source) into the columns the linkage model compares.

Names: Chinese names become characters, family/given (compound surnames known), and pinyin
without tones; Latin names become lower-case tokens. ``name_tokens`` (pinyin or Latin tokens,
sorted) makes 王伟 = "Wang Wei" = "Wei Wang". Birthdays keep their written digits even when the
date is impossible (a typo, compared by edit distance and with day/month swapped), never a crash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from guildcard.members.domain.imports import split_date

FIELDS = (
    "id", "name", "given_name", "family_name", "birthday", "phone", "address",
    "street_number", "street", "suburb", "postcode", "region", "id_number",
)  # fmt: skip
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "令狐",
        "慕容",
        "尉迟",
        "长孙",
        "宇文",
        "夏侯",
        "公孙",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "司徒",
        "申屠",
    )
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Prepared:
    id: str
    name_chars: str | None  # the name as written, normalized (NFKC, no spaces, lower case)
    family: str | None  # pinyin or Latin family name
    given: str | None
    name_pinyin: str | None  # the whole name as pinyin/Latin letters in the written order
    name_tokens: str | None  # family and given sorted (order-free): 王伟 = Wei Wang
    name_syllables: str | None  # every syllable sorted: 婷维闫 = 闫婷维 (characters in another order)
    birth_digits: str | None  # YYYYMMDD as written (may be an impossible date)
    birth_y: str | None
    birth_m: str | None
    birth_d: str | None
    phone: str | None  # national digits
    phone_tail: str | None  # the last 8 digits
    address: str | None
    postcode: str | None
    id_number: str | None


def _clean(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


@lru_cache(maxsize=65536)
def _pinyin(text: str) -> tuple[str, ...]:
    return tuple(p for p in lazy_pinyin(text) if p.strip())


def syllables(name: str) -> str:
    if _HAN.search(name):
        return " ".join(sorted(_pinyin(re.sub(r"[\s·•.]", "", name))))
    return " ".join(sorted(t for t in _NOT_WORD.split(name.lower()) if t))


def split_name(name: str) -> tuple[str, str, list[str]]:
    """(family, given, tokens) of a name in Chinese characters or Latin letters."""
    if _HAN.search(name):
        chars = re.sub(r"[\s·•.]", "", name)
        cut = 2 if chars[:2] in COMPOUND_SURNAMES else 1
        family = "".join(_pinyin(chars[:cut]))
        given = "".join(_pinyin(chars[cut:]))
        return family, given, [family, given] if given else [family]
    tokens = [t for t in _NOT_WORD.split(name.lower()) if t]
    if not tokens:
        return "", "", []
    if "," in name:  # "Wang, Wei": family first
        return tokens[0], "".join(tokens[1:]), tokens
    return tokens[-1], "".join(tokens[:-1]), tokens


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def national_phone(text: str) -> str | None:
    digits = _digits(text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits or None


def birthday_parts(text: str) -> tuple[str, str, str] | None:
    parts = split_date(text)
    if parts is None:
        digits = _digits(text)
        if len(digits) != 8:
            return None
        parts = (int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    year, month, day = parts
    return f"{year:04d}", f"{month:02d}", f"{day:02d}"


def prepare(record: Mapping[str, object]) -> Prepared:
    """One person, from a mapping with any of ``FIELDS`` (missing or blank fields are null)."""
    name = _clean(record.get("name"))
    if not name:
        family_name, given_name = _clean(record.get("family_name")), _clean(record.get("given_name"))
        name = (
            family_name + given_name
            if _HAN.search(family_name + given_name)
            else f"{given_name} {family_name}"
        )
        name = name.strip()
    family, given, tokens = split_name(name) if name else ("", "", [])
    birth = birthday_parts(_clean(record.get("birthday")))
    phone = national_phone(_clean(record.get("phone")))
    address = _clean(record.get("address"))
    if not address:
        address = " ".join(_clean(record.get(k)) for k in ("street_number", "street", "suburb", "region"))
    address_key = _NOT_WORD.sub("", address.lower())
    return Prepared(
        id=_clean(record.get("id")),
        name_chars=re.sub(r"\s+", "", name.lower()) or None,
        family=family or None,
        given=given or None,
        name_pinyin="".join(tokens) or None,
        name_tokens=" ".join(sorted(tokens)) or None,
        name_syllables=(syllables(name) or None) if name else None,
        birth_digits="".join(birth) if birth else None,
        birth_y=birth[0] if birth else None,
        birth_m=birth[1] if birth else None,
        birth_d=birth[2] if birth else None,
        phone=phone,
        phone_tail=phone[-8:] if phone and len(phone) >= 8 else None,
        address=address_key or None,
        postcode=_digits(_clean(record.get("postcode"))) or None,
        id_number=_clean(record.get("id_number")).upper().replace(" ", "") or None,
    )
