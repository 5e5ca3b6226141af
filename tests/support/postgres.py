"""A fresh PostgreSQL database per test session (per xdist worker)."""

from __future__ import annotations

import os
import uuid

import psycopg

ADMIN_DSN = os.environ.get("GUILDCARD_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def server_available() -> str | None:
    """None when reachable, else the reason it is not."""
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip()


def create_database(tag: str) -> str:
    name = f"gc_test_{tag}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
