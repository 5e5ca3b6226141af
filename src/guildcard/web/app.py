"""Mounts the pages and their static files on the ASGI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from guildcard.web.routes import home

STATIC = Path(__file__).resolve().parent / "static"


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(home.router)
