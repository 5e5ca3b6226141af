"""Phone numbers: validated with phonenumbers, stored as E.164, shown masked."""

from __future__ import annotations

import phonenumbers

from guildcard.kernel.errors import InvalidInput

DEFAULT_REGION = "CN"


class InvalidPhone(InvalidInput):
    """This is not a valid phone number."""

    code = "invalid_phone"


def normalize_phone(text: str, *, region: str = DEFAULT_REGION) -> str:
    """``"138 1234 5678"`` -> ``"+8613812345678"``; raises ``InvalidPhone``."""
    try:
        parsed = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(field="phone") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """``"+8613812345678"`` -> ``"138****5678"`` (national digits, middle four hidden)."""
    national = e164.removeprefix("+86") if e164.startswith("+86") else e164.lstrip("+")
    if len(national) < 8:
        return "*" * len(national)
    return f"{national[:3]}{'*' * (len(national) - 7)}{national[-4:]}"
