"""Security headers on every answer: a strict Content-Security-Policy (no inline script; the API
docs page gets a nonce for its one start-up script), no framing, no MIME sniffing, a same-origin
referrer, HSTS in production, and ``Cache-Control: no-store`` on every dynamic answer that does not
choose its own caching (pages and API answers are personal; static files are not)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIXES = ("/static/", "/_assets/")
NONCE_KEY = "csp_nonce"  # scope["state"][NONCE_KEY]: a page with one inline script sets it


def csp(nonce: str | None = None) -> str:
    # The nonce page (Swagger UI, no personal data) may also evaluate code its bundle builds.
    return CSP.format(nonce=f" 'nonce-{nonce}' 'unsafe-eval'" if nonce else "")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app, self.production = app, production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATIC_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                nonce = scope.get("state", {}).get(NONCE_KEY)
                wanted = [
                    (b"content-security-policy", csp(nonce).encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if self.production:
                    wanted.append((b"strict-transport-security", HSTS.encode()))
                if not static:
                    wanted.append((b"cache-control", b"no-store"))
                headers += [(k, v) for k, v in wanted if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
