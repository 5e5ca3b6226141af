"""Today at this store (``/counter/today``): the list of what was recorded and the shift summary.

A cashier picks the shift's start (a Shanghai time today; blank: the whole day) and whether to count
only what they recorded themselves, then prints the summary for the handover. The counter's service
checks that the actor works the store.
"""

from __future__ import annotations

from datetime import datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.kernel.errors import GuildCardError, InvalidInput
from guildcard.web.pages import render_page
from guildcard.web.routes.counter import current_store, remember_store
from guildcard.web.routes.staff_auth import message_of, require_staff
from guildcard.web.session import container_of

router = APIRouter(include_in_schema=False)


def shift_start(text: str, now: datetime) -> datetime | None:
    """``HH:MM`` today in Shanghai as an aware time; blank: None (the whole day)."""
    text = text.strip()
    if not text:
        return None
    try:
        at = time.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("Give the shift start as a time of day, like 14:00.", field="since") from exc
    return datetime.combine(now.astimezone(BUSINESS_TZ).date(), at, tzinfo=BUSINESS_TZ)


@router.get("/counter/today", response_class=HTMLResponse)
def today(request: Request, store: str | None = None, since: str = "", mine: str = "") -> HTMLResponse:
    actor = require_staff(request)
    chosen, stores = current_store(request, actor, store)
    container = container_of(request)
    now = container.clock.now()
    day, error = None, None
    if chosen is not None:
        try:
            day = container.counter.store_day(
                actor, store_id=chosen.id, since=shift_start(since, now), mine=mine == "1"
            )
        except GuildCardError as failure:
            error = message_of(request, failure)
    response = render_page(
        request, "counter/today.html", status_code=422 if error else 200, actor=actor, store=chosen,
        stores=stores, day=day, since=since.strip(), mine=mine == "1", now=now, error=error,
    )  # fmt: skip
    return remember_store(response, chosen)  # type: ignore[return-value]
