"""Alembic environment: runs on the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from guildcard.db.metadata import metadata

engine = context.config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run migrations through guildcard.db.schema (guildcard db upgrade)")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
