"""Fixtures shared by every tier: databases on both backends, a live server, a browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import text

from guildcard.db import schema
from guildcard.db.engine import Database
from tests.support import postgres

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _worker_tag(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _require(reason: str | None, what: str) -> None:
    """Skip when a real component is missing, but never under CI: there it fails the run."""
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true and is not available: {reason}")
    pytest.skip(f"{what} not available: {reason}")


# --- databases -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    schema.upgrade(database.engine)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    _require(postgres.server_available(), "PostgreSQL at 127.0.0.1:5432")
    url = postgres.create_database(_worker_tag(request.config))
    database = Database(url)
    schema.upgrade(database.engine)
    yield database
    database.dispose()
    postgres.drop_database(url)


def _truncate_all(database: Database) -> None:
    """Empty every table but Alembic's, whichever context's modules were imported."""
    with database.engine.begin() as conn:
        names = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if names:
            quoted = ", ".join(f'"{n}"' for n in names)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "guildcard.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        db = Database(f"sqlite:///{path}")
        yield db
        db.dispose()
    else:
        db = request.getfixturevalue("_pg_database")
        _truncate_all(db)
        yield db
        _truncate_all(db)


@pytest.fixture
def pg_database(_pg_database: Database) -> Iterator[Database]:
    """PostgreSQL only: for concurrency tests that mean row locks and MVCC."""
    _truncate_all(_pg_database)
    yield _pg_database
    _truncate_all(_pg_database)


# --- a real browser --------------------------------------------------------------------

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    chromium = shutil.which("chromium")
    _require(None if chromium else "no `chromium` on PATH (apt-get install chromium)", "Chromium")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, headless=True, args=BROWSER_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_database" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran on each backend, so CI output shows PostgreSQL ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") != "call" and outcome != "skipped":
                continue
            keywords = getattr(report, "keywords", {})
            backend = "postgresql" if "postgresql" in keywords else "sqlite" if "[sqlite]" in nodeid else None
            if backend:
                counts.setdefault(backend, {}).setdefault(outcome, 0)
                counts[backend][outcome] += 1
    for backend, by_outcome in sorted(counts.items()):
        figures = ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items()))
        terminalreporter.write_line(f"database tests on {backend}: {figures}")
