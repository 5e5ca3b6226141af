"""Languages: Babel catalogs compiled in memory; zh-CN by default, English by a switch.

The same catalogs translate service errors for the pages and the API (``error_message``):
every error's English message has its one Chinese translation in ``errors.po``.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from guildcard.kernel.errors import GuildCardError

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGES = {"zh-CN": "中文", "en": "English"}
LANGUAGE_COOKIE = "gc_lang"
_CATALOG_DIRS = {"zh-CN": "zh_CN"}


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Every ``*.po`` of the language (one file per area of the UI), compiled into one catalog."""
    folder = _CATALOG_DIRS.get(language)
    if folder is None:  # English is the source language
        return gettext.NullTranslations()
    catalog = None
    for path in sorted((LOCALE_DIR / folder / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            part = read_po(po, locale=folder)
        if catalog is None:
            catalog = part
        else:
            for message in part:
                if message.id:
                    catalog[message.id] = message
    compiled = BytesIO()
    assert catalog is not None, f"no catalogs for {language}"
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def pick_language(*, query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The explicit switch wins, then the remembered choice, then the browser, then zh-CN."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return preferred_language(accept_language, default=DEFAULT_LANGUAGE)


def preferred_language(accept_language: str | None, *, default: str) -> str:
    """The language of ``LANGUAGES`` that an ``Accept-Language`` header ranks highest (RFC 9110
    q-values; any ``zh-*`` reads Chinese, any ``en-*`` English), else ``default``."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.lower()))
    for _quality, _position, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if primary == "zh":
            return "zh-CN"
        if primary == "en":
            return "en"
    return default


def error_message(error: GuildCardError, language: str) -> str:
    """The error's message in ``language``, for a page notice or an API ``detail``.

    A message raised as a fixed string, or the class's own (its docstring), is looked up in the
    catalogs. A message composed where it is raised (a field name, a list of problems) cannot be:
    Chinese then reads the class's translated message followed by those specifics as raised, so
    the reader gets a sentence in their language and the details are not lost.
    """
    catalog = translations(language)
    translated = catalog.gettext(error.message)
    if translated != error.message or language not in _CATALOG_DIRS:
        return translated
    general = catalog.gettext(type(error)().message)  # the class's own message, as the kernel words it
    if general == error.message:
        return general
    return f"{general.removesuffix('。')}（{error.message.removesuffix('.')}）。"
