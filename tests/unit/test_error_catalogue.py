"""One error per condition, one message catalogue: every error has its own code and a Chinese message.

Walks every ``GuildCardError`` subclass under ``guildcard`` (after importing every module), so a
new error without a translation in ``errors.po``, or reusing another error's code, fails here.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import guildcard
from guildcard.kernel import errors
from guildcard.web.i18n import LOCALE_DIR, error_message, preferred_language

SOURCE = Path(guildcard.__file__).resolve().parent
ERRORS_PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "errors.po"

# Codes declared by more than one class, each with why it is tolerated for now.
KNOWN_DUPLICATES = {
    # The alliance context answers some conditions with the generic kind's code on purpose (an
    # applicant token that does not match reads as "no such application"); its owners decide
    # whether they get codes of their own.
    "not_found": {
        "guildcard.kernel.errors.NotFound",
        "guildcard.alliance.domain.errors.ObjectNotFound",
        "guildcard.alliance.domain.errors.InvalidApplicantToken",
    },
    "permission_denied": {
        "guildcard.kernel.errors.PermissionDenied",
        "guildcard.alliance.domain.errors.Forbidden",
    },
}


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _subclasses(cls: type[errors.GuildCardError]) -> set[type[errors.GuildCardError]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


@pytest.fixture(scope="module")
def error_classes() -> list[type[errors.GuildCardError]]:
    for module in pkgutil.walk_packages(guildcard.__path__, "guildcard."):
        importlib.import_module(module.name)
    ours = {c for c in _subclasses(errors.GuildCardError) if c.__module__.startswith("guildcard.")}
    return sorted(ours | {errors.GuildCardError}, key=_name)


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    with ERRORS_PO.open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and m.string}


def test_the_walk_finds_every_context(error_classes):
    modules = {c.__module__ for c in error_classes}
    for context in ("alliance", "counter", "ledger", "loyalty", "members", "settlement"):
        assert any(m.startswith(f"guildcard.{context}.") for m in modules), context


def test_each_error_has_its_own_code(error_classes):
    by_code: dict[str, set[str]] = defaultdict(set)
    for cls in error_classes:
        by_code[cls.code].add(_name(cls))
    shared = {code: names for code, names in by_code.items() if len(names) > 1}
    assert shared == {c: n for c, n in KNOWN_DUPLICATES.items() if c in shared}, "a code is declared twice"
    stale = {c for c, names in KNOWN_DUPLICATES.items() if by_code.get(c) != names}
    assert not stale, f"remove from KNOWN_DUPLICATES, the duplicate is gone: {sorted(stale)}"


def test_each_errors_own_message_has_its_chinese_translation_in_errors_po(error_classes, catalogue):
    missing = sorted({cls().message for cls in error_classes} - catalogue.keys())
    assert missing == [], f"translate these in {ERRORS_PO}"


def _fixed_raised_messages(names: set[str]) -> set[str]:
    """Every ``raise SomeError("a fixed string", ...)`` in the source tree."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func, first = node.exc.func, node.exc.args[0]
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in names and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def test_each_fixed_message_an_error_is_raised_with_is_translated_too(error_classes, catalogue):
    raised = _fixed_raised_messages({c.__name__ for c in error_classes})
    assert "Choose a store first." in raised, "the scan itself is broken"
    assert sorted(raised - catalogue.keys()) == [], f"translate these in {ERRORS_PO}"


def test_the_error_messages_are_translated_in_errors_po_only():
    ids = set(_catalogue_ids(ERRORS_PO))
    for area in sorted(ERRORS_PO.parent.glob("*.po")):
        if area != ERRORS_PO:
            assert not ids & set(_catalogue_ids(area)), f"{area.name} repeats messages of errors.po"


def _catalogue_ids(path: Path) -> list[str]:
    with path.open("rb") as po:
        return [m.id for m in read_po(po) if m.id]


class _Suspended(errors.RuleViolation):
    """The merchant is suspended: members cannot earn or redeem there."""

    code = "test.suspended"


def test_an_error_reads_in_the_language_asked_for():
    assert error_message(_Suspended(), "zh-CN") == "商家已暂停：会员不能在此获得或使用积分。"
    assert error_message(_Suspended(), "en") == _Suspended.__doc__
    fixed = errors.InvalidInput("Choose a store first.")
    assert error_message(fixed, "zh-CN") == "请先选择门店。"
    assert error_message(fixed, "en") == "Choose a store first."


def test_a_message_composed_where_it_is_raised_keeps_its_specifics_in_chinese():
    composed = errors.InvalidInput("pending_days: a whole number", field="pending_days")
    assert error_message(composed, "en") == "pending_days: a whole number"
    assert error_message(composed, "zh-CN") == "请求无效（pending_days: a whole number）。"


@pytest.mark.parametrize(
    ("header", "default", "language"),
    [
        (None, "en", "en"),
        ("", "zh-CN", "zh-CN"),
        ("zh-CN", "en", "zh-CN"),
        ("zh-TW,zh;q=0.9", "en", "zh-CN"),  # the one Chinese catalogue serves every zh-*
        ("en-GB,en;q=0.9,zh;q=0.8", "zh-CN", "en"),
        ("fr;q=1, zh;q=0.4, en;q=0.3", "en", "zh-CN"),
        ("en;q=0.2, zh-CN;q=0.9", "en", "zh-CN"),  # quality, not order, ranks
        ("zh;q=0, en", "zh-CN", "en"),  # q=0 means "not this one"
        ("fr-FR, de", "en", "en"),
        ("*", "zh-CN", "zh-CN"),
        ("zh;q=oops, en", "zh-CN", "en"),
    ],
)
def test_accept_language_is_ranked_by_quality(header, default, language):
    assert preferred_language(header, default=default) == language
