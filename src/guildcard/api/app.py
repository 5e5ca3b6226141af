"""The ASGI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from guildcard import __version__
from guildcard.api import docs, health, openapi_doc, problems
from guildcard.api.middleware import RequestContextMiddleware
from guildcard.api.security_headers import SecurityHeadersMiddleware
from guildcard.api.v1 import (
    alliance_audit,
    alliance_merchants,
    alliance_onboarding,
    alliance_stores,
    auth_staff,
    counter_wallet,
    insights,
    loyalty_me,
    members_dev,
    members_me,
    members_operator,
    members_people,
    members_public,
    settlement,
)
from guildcard.api.v1 import counter as counter_api
from guildcard.api.v1 import counter_refunds as counter_refunds_api
from guildcard.api.v1 import webhooks as webhooks_api
from guildcard.bootstrap import Container, bootstrap
from guildcard.db import schema
from guildcard.web.app import install_web

DESCRIPTION = """\
GuildCard: coalition loyalty (异业联盟). Errors are `application/problem+json` with a
stable `code`; their `detail` is in Chinese when `Accept-Language` prefers `zh`, else English
(English without the header), as `Content-Language` says. Every write takes an
`Idempotency-Key`; a replay returns the first result.
"""


def create_app(container: Container | None = None, *, check_schema: bool = True) -> FastAPI:
    container = container or bootstrap()
    if check_schema:
        schema.assert_current(container.database.engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        container.close()

    app = FastAPI(
        title="GuildCard API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    app.add_middleware(RequestContextMiddleware)
    # Outermost: even the request context's own answers (500, control characters) carry the headers.
    app.add_middleware(SecurityHeadersMiddleware, production=not container.settings.is_development)
    problems.install_problem_handlers(app)
    docs.install_docs(app)
    openapi_doc.install_openapi(app)
    app.include_router(health.router)
    app.include_router(settlement.router)
    app.include_router(counter_api.router)
    app.include_router(counter_refunds_api.router)
    app.include_router(counter_wallet.router)
    app.include_router(insights.router)
    install_web(app)
    app.include_router(members_public.router)
    app.include_router(members_me.router)
    app.include_router(loyalty_me.router)
    app.include_router(members_operator.router)
    app.include_router(members_people.router)
    app.include_router(webhooks_api.router)
    if container.settings.is_development:
        app.include_router(members_dev.router)
    for module in (auth_staff, alliance_onboarding, alliance_merchants, alliance_stores, alliance_audit):
        app.include_router(module.router)
    return app
