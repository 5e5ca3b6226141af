"""The member H5's coupons: the coupon centre (领券中心), my coupons with code and QR, the stamp card
(跨业态打卡), the birthday gift (生日礼) and the invitation page (邀请有礼)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from guildcard.alliance import queries as alliance
from guildcard.bootstrap import Container
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import GuildCardError
from guildcard.kernel.ids import new_id
from guildcard.members.qr import qr_svg
from guildcard.rewards.domain.campaigns import is_birthday
from guildcard.rewards.domain.coupons import Coupon, CouponRules, headline, rules_text
from guildcard.web.pages import language_of, render_page
from guildcard.web.routes.member_common import member, notice_for, status_for
from guildcard.web.session import check_csrf, container_of

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class Shown:
    """A coupon or template as the page shows it: headline and rules in the page's language."""

    headline: str
    rules: list[str]


def shown(rules: CouponRules, names: dict[str, str], language: str) -> Shown:
    zh, en = headline(rules)
    text = rules_text(rules, merchant_names=names)
    english = language.startswith("en")
    return Shown(en if english else zh, text.en if english else text.zh)


def merchant_names(container: Container, alliance_id: str) -> dict[str, str]:
    with container.database.read() as conn:
        return {m.id: m.name for m in alliance.list_merchants(conn, alliance_id)}


def _page(request: Request, template: str, actor: Actor, **context: Any) -> HTMLResponse:
    container = container_of(request)
    assert container.alliance is not None
    name = container.alliance.alliances.find(actor.alliance_id).name
    response = render_page(request, template, tab="coupons", alliance_name=name, **context)
    response.headers.update(NO_STORE)
    return response


def _coupons_page(
    request: Request, actor: Actor, *, view: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    container = container_of(request)
    names = merchant_names(container, actor.alliance_id)
    language = language_of(request)
    centre = container.coupons.centre(alliance_id=actor.alliance_id, member_id=actor.id)
    mine = container.coupons.my_coupons(alliance_id=actor.alliance_id, member_id=actor.id)
    response = _page(
        request, "member/coupons.html", actor, view=view,
        centre=[(item, shown(item.template.rules, names, language)) for item in centre],
        mine=[(c, shown(c.rules, names, language)) for c in mine], form_key=new_id("key"), **extra,
    )  # fmt: skip
    response.status_code = status_code
    return response


@router.get("/m/coupons", response_class=HTMLResponse)
def coupons(request: Request, view: str = "centre", claimed: str = "") -> HTMLResponse:
    actor = member(request)
    return _coupons_page(request, actor, view="mine" if view == "mine" else "centre", claimed=bool(claimed))


@router.post("/m/coupons/claim")
def claim(
    request: Request, template_id: str = Form(""), how: str = Form("claim"), key: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    """Claim in the coupon centre, or buy with points; then my coupons (post/redirect/get)."""
    actor = member(request)
    check_csrf(request, csrf_token)
    service = container_of(request).coupons
    try:
        take = service.buy_with_points if how == "points" else service.claim
        take(actor, template_id=template_id, idempotency_key=key or new_id("key"))
    except GuildCardError as error:
        return _coupons_page(
            request, actor, view="centre", status_code=status_for(error), error=notice_for(request, error)
        )
    return RedirectResponse("/m/coupons?view=mine&claimed=1", status_code=303)


@router.get("/m/coupons/{coupon_id}", response_class=HTMLResponse)
def coupon(request: Request, coupon_id: str) -> HTMLResponse:
    actor = member(request)
    container = container_of(request)
    found: Coupon | None = next(
        (c for c in container.coupons.my_coupons(alliance_id=actor.alliance_id, member_id=actor.id)
         if c.coupon_id == coupon_id),
        None,
    )  # fmt: skip
    if found is None:
        return _coupons_page(request, actor, view="mine", status_code=404)
    names = merchant_names(container, actor.alliance_id)
    return _page(
        request, "member/coupon.html", actor, coupon=found,
        shown=shown(found.rules, names, language_of(request)),
        qr=Markup(qr_svg(found.code)),  # noqa: S704 - segno's SVG of the coupon's own code (A-Z, 2-9)
    )  # fmt: skip


@router.get("/m/stamps", response_class=HTMLResponse)
def stamps(request: Request) -> HTMLResponse:
    actor = member(request)
    container = container_of(request)
    cards = container.reward_campaigns.stamp_cards(alliance_id=actor.alliance_id, member_id=actor.id)
    with container.database.read() as conn:  # a stamp is a trade (its name) or a named merchant
        names = {c.code: c.name for c in alliance.categories(conn, actor.alliance_id)}
    names |= merchant_names(container, actor.alliance_id)
    return _page(request, "member/stamps.html", actor, cards=cards, names=names)


def _birthday_page(request: Request, actor: Actor, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    container = container_of(request)
    profile = container.members.profiles.get(alliance_id=actor.alliance_id, member_id=actor.id)
    birthday = profile.profile.birthday
    gifts = container.reward_campaigns.birthday_gifts(alliance_id=actor.alliance_id, member_id=actor.id)
    now = container.clock.now()
    due = {g.campaign.campaign_id: is_birthday(g.campaign.birthday_rule, birthday, now) for g in gifts}
    response = _page(request, "member/birthday.html", actor, gifts=gifts, birthday=birthday, due=due, **extra)
    response.status_code = status_code
    return response


@router.get("/m/birthday", response_class=HTMLResponse)
def birthday(request: Request, claimed: str = "") -> HTMLResponse:
    """What the alliance's birthday campaign gives, when (from the profile's birthday), and this year's."""
    return _birthday_page(request, member(request), claimed=bool(claimed))


@router.post("/m/birthday/claim")
def claim_birthday(request: Request, csrf_token: str = Form("")) -> Response:
    """This year's gift, in the birthday month or on the day (once a year: a second tap gives nothing)."""
    actor = member(request)
    check_csrf(request, csrf_token)
    try:
        container_of(request).reward_campaigns.birthday_gift(actor)
    except GuildCardError as error:
        return _birthday_page(request, actor, status_code=status_for(error), error=notice_for(request, error))
    return RedirectResponse("/m/birthday?claimed=1", status_code=303)


@router.get("/m/invite", response_class=HTMLResponse)
def invite(request: Request) -> HTMLResponse:
    actor = member(request)
    campaigns = container_of(request).reward_campaigns
    code = campaigns.invitation(actor)
    link = f"{str(request.base_url).rstrip('/')}/m/invite/{code}"
    invitees = campaigns.invitees(alliance_id=actor.alliance_id, inviter_id=actor.id)
    settings = campaigns.referral_settings(alliance_id=actor.alliance_id)
    earned = sum(r.inviter_points for r in invitees if r.state == "rewarded")
    return _page(
        request, "member/invite.html", actor, code=code, link=link, invitees=invitees, settings=settings,
        earned=earned, qr=Markup(qr_svg(link)),  # noqa: S704 - segno's SVG of our own link
    )  # fmt: skip


INVITE_COOKIE = "gc_invite"  # the invitation a newcomer followed, bound when they register
INVITE_MAX_AGE = 24 * 3600


@router.get("/m/invite/{code}")
def follow_invitation(request: Request, code: str) -> Response:
    """A friend's invitation link: remember it, then the login page (registering binds it)."""
    response = RedirectResponse("/m/login", status_code=303)
    response.set_cookie(
        INVITE_COOKIE, code[:16], max_age=INVITE_MAX_AGE, samesite="lax", path="/m", httponly=True
    )
    return response


def bind_invitation(request: Request, response: Response, member_actor: Actor) -> None:
    """Right after registration: bind the new member to the inviter whose link they followed.

    A refused binding (self-invitation, unknown code) leaves the registration as it is."""
    code = request.cookies.get(INVITE_COOKIE)
    if not code:
        return
    response.delete_cookie(INVITE_COOKIE, path="/m")
    try:
        container_of(request).reward_campaigns.bind(member_actor, invitee_id=member_actor.id, code=code)
    except GuildCardError:
        return
