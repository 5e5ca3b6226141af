"""ASGI entry for servers: ``uvicorn --factory guildcard.api.asgi:create``."""

from __future__ import annotations

from fastapi import FastAPI

from guildcard.api.app import create_app
from guildcard.bootstrap import bootstrap
from guildcard.logs import configure_logging
from guildcard.settings import load_settings


def create() -> FastAPI:
    settings = load_settings()
    configure_logging(settings.log_level)

    return create_app(bootstrap(settings))
