"""The member H5 for the points mall, check-in and the lottery; the lottery's public verify page."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from guildcard.kernel.actors import Actor
from guildcard.kernel.clock import business_date
from guildcard.kernel.errors import GuildCardError
from guildcard.ledger import LedgerQueries
from guildcard.loyalty import tier_queries
from guildcard.members.qr import qr_svg
from guildcard.pipeline import Command
from guildcard.rewards.domain.lottery import PrizeKind
from guildcard.rewards.handlers.checkin import CheckIn, MakeupCheckin
from guildcard.rewards.handlers.lottery import DrawLottery
from guildcard.rewards.handlers.mall import CancelMallOrder, PlaceMallOrder, SaveAddress
from guildcard.rewards.queries.checkin import CheckinQueries
from guildcard.rewards.queries.lottery import LotteryQueries
from guildcard.rewards.queries.mall import MallQueries
from guildcard.web.pages import render_page
from guildcard.web.routes.member_common import member, notice_for, status_for
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _page(
    request: Request, template: str, actor: Actor, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    container = container_of(request)
    assert container.alliance is not None
    response = render_page(
        request, template, status_code=status_code, tab=context.pop("tab", "card"),
        alliance_name=container.alliance.alliances.find(actor.alliance_id).name,
        form_key=secrets.token_urlsafe(12), **context,
    )  # fmt: skip
    response.headers.update(NO_STORE)
    return response


def _run(request: Request, actor: Actor, command: Command) -> Any:
    return container_of(request).bus.execute(actor, command).value


def _read(request: Request, actor: Actor, work: Any) -> Any:
    with container_of(request).database.read() as conn:
        return work(conn)


def _balance(request: Request, actor: Actor) -> int:
    return int(
        _read(
            request,
            actor,
            lambda c: LedgerQueries(c, alliance_id=actor.alliance_id).balance(actor.id).available,
        )
    )


def _tier(conn: Any, actor: Actor, now: Any) -> str:
    """The member's tier in effect (tier-only items and lotteries show to that tier)."""
    return tier_queries.tier_of(conn, actor.alliance_id, actor.id, at=now).code


# --- the mall ----------------------------------------------------------------------------------


@router.get("/m/mall", response_class=HTMLResponse)
def mall(request: Request, category: str = "", q: str = "") -> HTMLResponse:
    actor = member(request)
    now = container_of(request).clock.now()
    found = {"category": category[:40], "search": q[:40]}
    items, categories = _read(request, actor, lambda c: (
        MallQueries(c, actor.alliance_id).catalogue(tier=_tier(c, actor, now), now=now, **found),
        MallQueries(c, actor.alliance_id).categories(),
    ))  # fmt: skip
    return _page(request, "rewards/mall.html", actor, items=items, categories=categories, category=category,
                 query=q[:40], balance=_balance(request, actor))  # fmt: skip


@router.get("/m/mall/items/{item_id}", response_class=HTMLResponse)
def mall_item(request: Request, item_id: str, error: str = "") -> HTMLResponse:
    actor = member(request)
    try:
        item = _read(request, actor, lambda c: MallQueries(c, actor.alliance_id).item(item_id))
    except GuildCardError as exc:
        return _page(request, "rewards/mall.html", actor, status_code=404, items=[], categories=[],
                     category="", query="", balance=0, error=notice_for(request, exc))  # fmt: skip
    addresses = _read(request, actor, lambda c: MallQueries(c, actor.alliance_id).addresses(actor.id))
    return _page(request, "rewards/mall_item.html", actor, item=item, addresses=addresses,
                 balance=_balance(request, actor), error=error or None)  # fmt: skip


@router.post("/m/mall/items/{item_id}/order")
def order_item(
    request: Request,
    item_id: str,
    address_id: str = Form(""),
    form_key: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    actor = member(request)
    check_csrf(request, csrf_token)
    command = PlaceMallOrder(
        item_id=item_id, address_id=address_id or None, idempotency_key=form_key[:64] or None
    )
    try:
        order = _run(request, actor, command)
    except GuildCardError as exc:
        page = mall_item(request, item_id, error=notice_for(request, exc))
        page.status_code = status_for(exc)
        return page
    return RedirectResponse(f"/m/mall/orders/{order.id}", status_code=303)


@router.get("/m/mall/orders", response_class=HTMLResponse)
def my_orders(request: Request) -> HTMLResponse:
    actor = member(request)
    orders = _read(request, actor, lambda c: MallQueries(c, actor.alliance_id).member_orders(actor.id))
    return _page(request, "rewards/mall_orders.html", actor, orders=orders)


@router.get("/m/mall/orders/{order_id}", response_class=HTMLResponse)
def my_order(request: Request, order_id: str, error: str = "") -> HTMLResponse:
    actor = member(request)
    order = _read(
        request, actor, lambda c: MallQueries(c, actor.alliance_id).member_order(actor.id, order_id)
    )
    qr = Markup(qr_svg(order.pickup_code)) if order.pickup_code and order.state.value == "held" else None  # noqa: S704 - digits only
    return _page(request, "rewards/mall_order.html", actor, order=order, qr=qr, error=error or None)


@router.post("/m/mall/orders/{order_id}/cancel")
def cancel_order(request: Request, order_id: str, csrf_token: str = Form("")) -> Response:
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        _run(request, actor, CancelMallOrder(order_id=order_id, idempotency_key=f"cancel-{order_id}"))
    except GuildCardError as exc:
        return my_order(request, order_id, error=notice_for(request, exc))
    return RedirectResponse(f"/m/mall/orders/{order_id}", status_code=303)


@router.get("/m/mall/addresses", response_class=HTMLResponse)
def addresses(request: Request, error: str = "") -> HTMLResponse:
    actor = member(request)
    rows = _read(request, actor, lambda c: MallQueries(c, actor.alliance_id).addresses(actor.id))
    return _page(request, "rewards/mall_addresses.html", actor, addresses=rows, error=error or None,
                 back=request.query_params.get("back", ""))  # fmt: skip


@router.post("/m/mall/addresses")
def add_address(  # noqa: PLR0917 (the form's fields, in the form's order)
    request: Request, recipient: str = Form(""), phone: str = Form(""), region: str = Form(""),
    line: str = Form(""), back: str = Form(""), csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        _run(request, actor, SaveAddress(recipient=recipient, phone=phone, region=region, line=line))
    except GuildCardError as exc:
        return addresses(request, error=notice_for(request, exc))
    target = back if back.startswith("/m/mall/items/") else "/m/mall/addresses"
    return RedirectResponse(target, status_code=303)


@router.get("/m/mall/pictures/{picture_id}")
def picture(request: Request, picture_id: str) -> Response:
    actor = member(request)
    found = _read(request, actor, lambda c: MallQueries(c, actor.alliance_id).picture(picture_id))
    if found is None:
        return Response(status_code=404)
    content_type, data = found
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=86400"})


# --- check-in ----------------------------------------------------------------------------------


@router.get("/m/checkin", response_class=HTMLResponse)
def checkin(request: Request, error: str = "", done: str = "") -> HTMLResponse:
    actor = member(request)
    today = business_date(container_of(request).clock.now())
    view = _read(request, actor, lambda c: CheckinQueries(c, actor.alliance_id).calendar(actor.id, today))
    return _page(request, "rewards/checkin.html", actor, view=view, today=today, error=error or None,
                 done=done)  # fmt: skip


@router.post("/m/checkin")
def check_in(request: Request, csrf_token: str = Form("")) -> Response:
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        result = _run(request, actor, CheckIn())
    except GuildCardError as exc:
        return checkin(request, error=notice_for(request, exc))
    return RedirectResponse(f"/m/checkin?done={result.points}", status_code=303)


@router.post("/m/checkin/makeup")
def make_up(request: Request, day: str = Form(""), csrf_token: str = Form("")) -> Response:
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        _run(request, actor, MakeupCheckin(day=date.fromisoformat(day)))
    except ValueError:
        return checkin(request, error="?")
    except GuildCardError as exc:
        return checkin(request, error=notice_for(request, exc))
    return RedirectResponse("/m/checkin", status_code=303)


# --- the lottery -------------------------------------------------------------------------------


@router.get("/m/lottery", response_class=HTMLResponse)
def lottery_home(request: Request) -> Response:
    actor = member(request)
    now = container_of(request).clock.now()
    campaigns = _read(request, actor, lambda c: [
        x for x in LotteryQueries(c, actor.alliance_id).campaigns()
        if not x.tiers or _tier(c, actor, now) in x.tiers
    ])  # fmt: skip
    current = next(
        (c for c in campaigns if c.starts_at <= now < c.ends_at), campaigns[0] if campaigns else None
    )
    if current is None:
        return _page(request, "rewards/lottery.html", actor, campaign=None, draws=[], grid=[], result=None)
    return RedirectResponse(f"/m/lottery/{current.id}", status_code=303)


@router.get("/m/lottery/{campaign_id}", response_class=HTMLResponse)
def lottery(request: Request, campaign_id: str, result: Any = None, error: str = "") -> HTMLResponse:
    actor = member(request)
    now = container_of(request).clock.now()
    campaign, draws, entry, issued = _read(request, actor, lambda c: (
        LotteryQueries(c, actor.alliance_id).campaign(campaign_id),
        LotteryQueries(c, actor.alliance_id).draws(campaign_id, actor.id),
        LotteryQueries(c, actor.alliance_id).entry(campaign_id, actor.id),
        LotteryQueries(c, actor.alliance_id).issued(campaign_id, actor.id),
    ))  # fmt: skip
    names = {p.id: p.name for p in campaign.prizes}
    return _page(
        request, "rewards/lottery.html", actor, campaign=campaign, draws=draws, names=names, entry=entry,
        links=prize_links(campaign.prizes, draws, issued),
        grid=grid_cells(campaign.prizes), result=result, error=error or None,
        open=campaign.starts_at <= now < campaign.ends_at, balance=_balance(request, actor),
        alliance_id=actor.alliance_id,
    )  # fmt: skip


def prize_links(prizes: Any, draws: Any, issued: dict[str, str]) -> dict[str, str]:
    """Where each won coupon or mall-item prize is now: the member's coupon, or the mall order."""
    kinds = {p.id: p.kind for p in prizes}
    pages = {PrizeKind.COUPON: "/m/coupons/", PrizeKind.MALL_ITEM: "/m/mall/orders/"}
    return {
        d.id: pages[kinds[d.awarded]] + issued[d.id]
        for d in draws
        if d.id in issued and kinds.get(d.awarded) in pages
    }


def grid_cells(prizes: Any) -> list[Any]:
    """Eight prize cells clockwise around the button (repeating the table when it is shorter)."""
    shown = list(prizes)[:8]
    return [shown[i % len(shown)] for i in range(8)] if shown else []


@router.post("/m/lottery/{campaign_id}/draw")
def draw(
    request: Request, campaign_id: str, form_key: str = Form(""), csrf_token: str = Form("")
) -> Response:
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        result = _run(
            request, actor, DrawLottery(campaign_id=campaign_id, idempotency_key=form_key[:64] or None)
        )
    except GuildCardError as exc:
        page = lottery(request, campaign_id, error=notice_for(request, exc))
        page.status_code = status_for(exc)
        return page
    return lottery(request, campaign_id, result=result)


@router.get("/lottery/{alliance_id}/{campaign_id}", response_class=HTMLResponse)
def public_verify(request: Request, alliance_id: str, campaign_id: str) -> HTMLResponse:
    """Anyone: the commitment, the prize table, and after the end the seed and every draw recomputed."""
    with container_of(request).database.read() as conn:
        queries = LotteryQueries(conn, alliance_id)
        campaign = queries.campaign(campaign_id)
        report = queries.verify(campaign_id)
        draws = queries.draws(campaign_id)
    bad = {where for where, _ in report.problems}
    return render_page(request, "rewards/lottery_verify.html", campaign=campaign, report=report, draws=draws,
                       bad=bad)  # fmt: skip
