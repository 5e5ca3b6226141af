"""Alembic driven from code: each context owns a branch; upgrades go to ``heads``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from guildcard.kernel.errors import SchemaOutdated

_PACKAGE = Path(__file__).resolve().parent.parent
_SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"


def version_locations() -> list[Path]:
    """The kernel's versions folder, then every context's ``migrations/`` folder."""
    contexts = sorted(p for p in _PACKAGE.glob("*/migrations") if p.parent.name != "db")
    return [_SCRIPT_LOCATION / "versions", *contexts]


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPT_LOCATION))
    cfg.set_main_option("version_locations", " ".join(str(p) for p in version_locations()))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    command.upgrade(alembic_config(engine), revision)


@cache
def head_revisions() -> frozenset[str]:
    """The heads of every branch (fixed for the life of the process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def assert_current(engine: Engine) -> set[str]:
    """Raise ``SchemaOutdated`` unless the database is at every head; return the revisions."""
    current, heads = current_revisions(engine), head_revisions()
    if current != heads:
        missing = ", ".join(sorted(heads - current)) or "none"
        raise SchemaOutdated(
            f"database schema is not current (missing: {missing}); run `guildcard db upgrade`",
            current=sorted(current),
            heads=sorted(heads),
        )
    return current
