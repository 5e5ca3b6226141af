"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over a 31-character alphabet (no I, O, S, V, Z): registration authority (1),
organisation type (1), administrative division (6 digits), organisation code (9, with its
own GB 11714 check), and a final check character computed over the first 17.
"""

from __future__ import annotations

from guildcard.alliance.domain.errors import InvalidCreditCode

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character for the first 17 characters ``body``."""
    if len(body) != LENGTH - 1 or any(ch not in _VALUE for ch in body):
        raise InvalidCreditCode(field="credit_code")
    total = sum(_VALUE[ch] * weight for ch, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(text: str) -> str:
    """Upper-cased and stripped, validated by its check character; raises ``InvalidCreditCode``."""
    code = text.strip().upper()
    if len(code) != LENGTH or any(ch not in _VALUE for ch in code):
        raise InvalidCreditCode(field="credit_code")
    if check_character(code[:-1]) != code[-1]:
        raise InvalidCreditCode(
            "The check character of this unified social credit code is wrong.", field="credit_code"
        )
    return code


def is_valid_credit_code(text: str) -> bool:
    try:
        normalize_credit_code(text)
    except InvalidCreditCode:
        return False
    return True
