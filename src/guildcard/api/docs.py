"""API docs served by the app itself: Swagger UI from the installed fastapi-offline package."""

from __future__ import annotations

import secrets
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from guildcard.api.security_headers import NONCE_KEY

DOCS_ASSETS = "/_assets/swagger"
# Swagger UI 5 (OpenAPI 3.1), shipped inside the installed package: no CDN.
SWAGGER_STATIC = files("fastapi_offline") / "static"


def install_docs(app: FastAPI) -> None:
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(SWAGGER_STATIC)), name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="GuildCard API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )
        # Swagger UI starts from one inline script: the CSP lets exactly that one run, by nonce.
        nonce = secrets.token_urlsafe(16)
        request.scope.setdefault("state", {})[NONCE_KEY] = nonce
        html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
        return HTMLResponse(html)
