"""Languages: Babel catalogs compiled in memory; zh-CN by default, English by a switch."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGES = {"zh-CN": "中文", "en": "English"}
LANGUAGE_COOKIE = "gc_lang"
_CATALOG_DIRS = {"zh-CN": "zh_CN"}


@cache
def translations(language: str) -> gettext.NullTranslations:
    folder = _CATALOG_DIRS.get(language)
    if folder is None:  # English is the source language
        return gettext.NullTranslations()
    with (LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=folder)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def pick_language(*, query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The explicit switch wins, then the remembered choice, then the browser, then zh-CN."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if accept_language:
        first = accept_language.split(",")[0].strip().lower()
        if first.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
