"""Mounts the pages and their static files on the ASGI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from guildcard.web.routes import (
    counter,
    counter_after,
    counter_coupons,
    counter_day,
    counter_wallet,
    home,
    insights_pages,
    member,
    member_auth,
    member_coupons,
    member_inbox,
    member_mall,
    member_terms,
    member_wallet,
    merchant,
    merchant_admin,
    merchant_coupons,
    merchant_imports,
    merchant_refunds,
    merchant_wallet_codes,
    ops,
    ops_automation,
    ops_coupons,
    ops_loyalty,
    ops_members,
    ops_merchants,
    ops_rewards,
    ops_settings,
    ops_settlement,
    staff_auth,
    staff_mall,
)
from guildcard.web.session import LoginRequired

STATIC = Path(__file__).resolve().parent / "static"


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(home.router)
    app.include_router(member_auth.router)
    app.include_router(member_terms.router)
    app.include_router(member.router)
    app.include_router(member_coupons.router)
    app.include_router(member_wallet.router)
    app.include_router(member_inbox.router)
    app.include_router(member_mall.router)
    app.include_router(ops_rewards.router)
    app.include_router(staff_mall.router)
    app.include_router(ops.router)
    app.include_router(ops_merchants.router)
    app.include_router(ops_settings.router)
    app.include_router(ops_loyalty.router)
    app.include_router(ops_automation.router)
    app.include_router(ops_settlement.router)
    app.include_router(insights_pages.router)
    app.include_router(staff_auth.router)
    app.include_router(counter.router)
    app.include_router(counter_after.router)
    app.include_router(counter_day.router)
    app.include_router(counter_coupons.router)
    app.include_router(counter_wallet.router)
    app.include_router(merchant.router)
    app.include_router(merchant_admin.router)
    app.include_router(merchant_coupons.router)
    app.include_router(merchant_wallet_codes.router)
    app.include_router(ops_coupons.router)
    app.include_router(ops_members.router)
    app.include_router(merchant_imports.router)
    app.include_router(merchant_refunds.router)

    @app.exception_handler(LoginRequired)
    async def _to_login(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(exc.login_url, status_code=303)
