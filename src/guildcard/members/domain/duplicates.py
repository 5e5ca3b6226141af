"""Possible duplicates: the same person registered with another phone number.

Candidates share a birthday; their names are compared as written and as pinyin, so
``张伟`` and ``张玮`` (same sound, a typo away) are flagged too. Nothing is merged: an
operator reviews each pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

NAME_THRESHOLD = 85.0


class Verdict(StrEnum):
    OPEN = "open"
    DIFFERENT = "different_people"
    SAME = "same_person"  # recorded only; merging is a later feature


@dataclass(frozen=True)
class Similarity:
    score: float  # 0..100
    reason: str


def _normal(name: str) -> str:
    return "".join(name.split()).casefold()


def name_similarity(a: str, b: str) -> Similarity:
    written = fuzz.ratio(_normal(a), _normal(b))
    spoken = fuzz.ratio(" ".join(lazy_pinyin(_normal(a))), " ".join(lazy_pinyin(_normal(b))))
    if spoken > written:
        return Similarity(round(spoken, 1), "same birthday, names sound alike")
    return Similarity(round(written, 1), "same birthday, similar names")


def likely_same_person(a: str, b: str) -> Similarity | None:
    """The similarity when two names of people born the same day look like one person."""
    similarity = name_similarity(a, b)
    return similarity if similarity.score >= NAME_THRESHOLD else None


def ordered_pair(first: str, second: str) -> tuple[str, str]:
    """A pair of member ids in a canonical order, so a pair is flagged once."""
    return (first, second) if first < second else (second, first)
