"""Alembic environment: the URL comes from RaSoat's configuration, or from the caller's connection."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from server.core.db import make_engine
from server.models import metadata

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    """The database URL: set by the caller, else from RaSoat's configuration (RASOAT_DATABASE_URL, instance/)."""
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from config import settings

    return settings.load()["DATABASE_URL"]


def run_migrations_offline() -> None:
    """Emit SQL to standard output."""
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (SQLite gets batch mode for ALTER)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    """Configure and run inside one transaction."""
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
