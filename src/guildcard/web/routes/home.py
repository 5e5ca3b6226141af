"""The landing page: each alliance with its merchants, and where each kind of user signs in."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from guildcard.alliance.domain.model import Alliance
from guildcard.web.pages import render_page
from guildcard.web.routes import member_reads
from guildcard.web.session import container_of

router = APIRouter(include_in_schema=False)

SHOWN_PER_TRADE = 6  # a glimpse; the member's directory lists them all


@dataclass(frozen=True)
class AllianceShown:
    alliance: Alliance
    groups: list[member_reads.CategoryGroup]
    merchants: int


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    container = container_of(request)
    alliances = container.alliance.alliances.list_alliances() if container.alliance else []
    shown = []
    for alliance in alliances:
        groups = member_reads.directory(container, alliance.id)
        shown.append(AllianceShown(alliance, groups, member_reads.merchant_count(groups)))
    return render_page(request, "home.html", alliances=shown, per_trade=SHOWN_PER_TRADE)
