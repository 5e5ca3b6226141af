"""The Jinja2 environment: i18n, filters and globals shared by every page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.kernel.money import format_fen
from guildcard.settlement.domain.direct import label as direct_label
from guildcard.web.i18n import LANGUAGES, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _points(value: int) -> str:
    return f"{value:,}"


def _local_time(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(BUSINESS_TZ).strftime(pattern)


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yuan"] = format_fen
    env.filters["points"] = _points
    env.filters["local_time"] = _local_time
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["direct_label"] = direct_label  # statement lines by kind of entry
    return env


class Renderer:
    """Renders a template in a language; one environment per language (gettext is installed per env)."""

    def __init__(self) -> None:
        self._envs: dict[str, Environment] = {}

    def environment(self, language: str) -> Environment:
        if language not in self._envs:
            env = build_environment()
            env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
            self._envs[language] = env
        return self._envs[language]

    def render(self, template: str, *, language: str, **context: object) -> str:
        return self.environment(language).get_template(template).render(language=language, **context)
