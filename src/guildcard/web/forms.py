"""One helper for every merchant and operator form: after a validation error the page comes back
with what was typed, and the error names the field.

``keep_typed`` works on the re-rendered page, so a form template needs nothing special: in the form
that was posted (the one whose ``action`` is the posted path) every text field, text area, select
and checkbox gets the submitted value back (never passwords, files or hidden fields such as the
CSRF token). When the error names a field (``details["field"]``), that field is marked
``aria-invalid`` with the message beside it, and the page's alert starts with the field's label
(which carries the allowed range where the form shows one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape, unescape
from typing import TypeVar

from fastapi.responses import Response

from guildcard.kernel.errors import GuildCardError, InvalidInput, RuleViolation

Values = Mapping[str, str | Iterable[str]]
Page = TypeVar("Page", bound=Response)

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
_ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')
_INPUT = re.compile(r"<input\b[^>]*>")
_TEXTAREA = re.compile(r"(<textarea\b[^>]*>)(.*?)(</textarea>)", re.S)
_SELECT = re.compile(r"(<select\b[^>]*>)(.*?)(</select>)", re.S)
_OPTION = re.compile(r"<option\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_NOT_REFILLED = {"hidden", "password", "file", "submit", "button", "image", "reset"}
_NOT_REFILLED_NAMES = {"csrf_token", "idempotency_key"}


def is_validation(error: GuildCardError) -> bool:
    """What was typed is wrong (or breaks a rule): worth correcting, so the form keeps it."""
    return isinstance(error, InvalidInput | RuleViolation)


def error_field(error: GuildCardError) -> str | None:
    """The form field an error is about, if the detecting code named one."""
    field = error.details.get("field")
    if isinstance(field, str):
        return field
    fields = error.details.get("fields")
    if isinstance(fields, list | tuple) and fields and isinstance(fields[0], str):
        return fields[0]
    return None


def keep_typed(page: Page, *, action: str, values: Values, field: str | None, message: str) -> Page:
    """``page`` (an error page) with the posted form refilled and ``field`` marked (in place)."""
    if not page.headers.get("content-type", "").startswith("text/html"):
        return page
    html = bytes(page.body).decode()
    filled = refill(html, action=action, values=values, field=field, message=message)
    page.body = filled.encode()
    page.headers["content-length"] = str(len(page.body))
    return page


def refill(html: str, *, action: str, values: Values, field: str | None = None, message: str = "") -> str:
    chosen = {name: _as_list(value) for name, value in values.items()}
    label = ""

    def one_form(match: re.Match[str]) -> str:
        nonlocal label
        form = match.group(0)
        if _attrs(form[: form.index(">") + 1]).get("action") != action:
            return form
        seen: dict[str, int] = {}  # repeated names (table rows) take their values in order
        form = _INPUT.sub(lambda m: _input(m.group(0), chosen, seen), form)
        form = _TEXTAREA.sub(lambda m: _textarea(m, chosen), form)
        form = _SELECT.sub(lambda m: _select(m, chosen), form)
        if field:
            form, label = _mark(form, field, message)
        return form

    html = _FORM.sub(one_form, html)
    if label and message:
        alert = f'role="alert">{escape(message, quote=False)}'
        named = f'role="alert">{escape(label, quote=False)}：{escape(message, quote=False)}'
        html = html.replace(alert, named, 1)
    return html


def _as_list(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _attrs(tag: str) -> dict[str, str]:
    inner = tag.strip("<>/").split(None, 1)
    body = inner[1] if len(inner) > 1 else ""
    return {m.group(1): unescape(m.group(2) or "") for m in _ATTR.finditer(body)}


def _set(tag: str, name: str, value: str | None) -> str:
    """``tag`` with attribute ``name`` set to ``value`` (``None``: removed; ``""``: boolean)."""
    tag = re.sub(rf'\s{name}(?:="[^"]*")?(?=[\s>/])', "", tag)
    if value is None:
        return tag
    rendered = f" {name}" if value == "" else f' {name}="{escape(value)}"'
    end = -2 if tag.endswith("/>") else -1
    return tag[:end] + rendered + tag[end:]


def _input(tag: str, chosen: dict[str, list[str]], seen: dict[str, int]) -> str:
    attrs = _attrs(tag)
    name, kind = attrs.get("name", ""), attrs.get("type", "text").lower()
    if name not in chosen or kind in _NOT_REFILLED or name in _NOT_REFILLED_NAMES:
        if kind == "checkbox" and name and name not in chosen and name not in _NOT_REFILLED_NAMES:
            return _set(tag, "checked", None)  # an unticked box is absent from the post
        return tag
    if kind in {"checkbox", "radio"}:
        on = attrs.get("value", "on") in chosen[name]
        return _set(tag, "checked", "" if on else None)
    position = seen.get(name, 0)
    seen[name] = position + 1
    return _set(tag, "value", chosen[name][position] if position < len(chosen[name]) else "")


def _textarea(match: re.Match[str], chosen: dict[str, list[str]]) -> str:
    name = _attrs(match.group(1)).get("name", "")
    if name not in chosen or not chosen[name]:
        return match.group(0)
    return match.group(1) + escape(chosen[name][0], quote=False) + match.group(3)


def _select(match: re.Match[str], chosen: dict[str, list[str]]) -> str:
    name = _attrs(match.group(1)).get("name", "")
    if name not in chosen:
        return match.group(0)
    picked = chosen[name]
    options = _OPTION.sub(
        lambda m: _set(m.group(0), "selected", "" if _attrs(m.group(0)).get("value") in picked else None),
        match.group(2),
    )
    return match.group(1) + options + match.group(3)


def _mark(form: str, field: str, message: str) -> tuple[str, str]:
    """Mark the first control named ``field``; return the form and the field's label text."""
    control = re.compile(rf'<(input|textarea|select)\b[^>]*\sname="{re.escape(field)}"[^>]*>')
    found = control.search(form)
    if found is None:
        return form, ""
    attrs = _attrs(found.group(0))
    ident = attrs.get("id", field)
    tag = _set(_set(found.group(0), "aria-invalid", "true"), "aria-describedby", f"{ident}-error")
    note = f'<span class="field-error" id="{escape(ident)}-error">{escape(message, quote=False)}</span>'
    end = found.end()
    if found.group(1) != "input":  # after the closing tag
        closing = form.find(f"</{found.group(1)}>", end)
        end = closing + len(found.group(1)) + 3 if closing >= 0 else end
        form = form[: found.start()] + tag + form[found.end() : end] + note + form[end:]
    else:
        form = form[: found.start()] + tag + note + form[end:]
    label = re.search(rf'<label\b[^>]*\sfor="{re.escape(ident)}"[^>]*>(.*?)</label>', form, re.S)
    text = " ".join(unescape(_TAG.sub(" ", label.group(1))).split()) if label else ""
    return form, text
