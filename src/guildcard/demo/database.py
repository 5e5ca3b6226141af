"""The demo's database: the default SQLite file under the data folder (``data/guildcard.db``).

Being the default file, every other command (``guildcard up``, ``ledger verify``, ``settle``)
sees the demo without extra settings. The demo never seeds a database given by URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text

from guildcard.settings import Settings

DEMO_FILE = "guildcard.db"  # the file ``Settings.resolved_database_url`` defaults to


def demo_path(settings: Settings) -> Path | None:
    """The SQLite file to seed, or None when a database URL is configured (never seeded)."""
    if settings.database_url:
        return None
    return settings.data_dir / DEMO_FILE


def demo_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def is_seeded(path: Path) -> bool:
    """Whether the file already holds an alliance (a finished or interrupted seeding)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    engine = create_engine(demo_url(path))
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alliances"):
                return False
            return int(conn.execute(text("SELECT count(*) FROM alliances")).scalar_one()) > 0
    finally:
        engine.dispose()


def remove(path: Path) -> None:
    """Delete the database file and its WAL companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def fast_writes(engine: Engine) -> None:
    """Seeding a throw-away file: WAL with ``synchronous=NORMAL`` (no fsync per commit; a power
    cut may lose the last commits, never corrupt the file). Only the seeding engine gets it."""

    @event.listens_for(engine, "connect")
    def _normal_sync(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
