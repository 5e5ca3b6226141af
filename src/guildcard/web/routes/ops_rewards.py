"""The operator's points mall, check-in rules and lottery campaigns at ``/ops/rewards``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.alliance import queries as alliance
from guildcard.kernel.clock import BUSINESS_TZ
from guildcard.kernel.errors import InvalidInput
from guildcard.kernel.money import parse_yuan
from guildcard.rewards.domain.lottery import Prize, PrizeKind
from guildcard.rewards.handlers.checkin import SetCheckinRules
from guildcard.rewards.handlers.lottery import CreateLotteryCampaign
from guildcard.rewards.queries.checkin import CheckinQueries
from guildcard.rewards.queries.lottery import LotteryQueries
from guildcard.rewards.queries.mall import MallQueries
from guildcard.web.routes.ops_support import container, handle_post, operator, redirect, render, text

router = APIRouter(include_in_schema=False)
PATH = "/ops/rewards"


def _page(request: Request, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    actor = operator(request)
    with container(request).database.read() as conn:
        mall, lottery = MallQueries(conn, actor.alliance_id), LotteryQueries(conn, actor.alliance_id)
        campaigns = lottery.campaigns()
        context = {
            "items": mall.items(),
            "orders": mall.all_orders(),
            "margin": mall.margin_fen(),
            "rules": CheckinQueries(conn, actor.alliance_id).rules(),
            "checkins": CheckinQueries(conn, actor.alliance_id).count(),
            "campaigns": campaigns,
            "reports": {c.id: lottery.verify(c.id) for c in campaigns},
            "names": {m.id: m.name for m in alliance.list_merchants(conn, actor.alliance_id)},
        }
    return render(
        request,
        "rewards/ops_rewards.html",
        actor=actor,
        active=PATH,
        error=error,
        status_code=status_code,
        alliance_id=actor.alliance_id,
        **context,
    )


@router.get(PATH, response_class=HTMLResponse)
def rewards(request: Request) -> HTMLResponse:
    return _page(request)


def _table(value: str) -> dict[str, int]:
    """``3=10, 7=30`` -> {"3": 10, "7": 30}."""
    out: dict[str, int] = {}
    for part in value.replace("，", ",").split(","):
        if part.strip():
            day, _, points = part.partition("=")
            if not (day.strip().isdigit() and points.strip().isdigit()):
                raise InvalidInput("Write reward tables as day=points, e.g. 3=10, 7=30.")
            out[day.strip()] = int(points)
    return out


@router.post(f"{PATH}/checkin", response_model=None)
async def set_rules(request: Request) -> Response:
    actor = operator(request)

    def action(form: FormData) -> Response:
        changes = {
            "enabled": text(form, "enabled") == "1",
            "base_points": int(text(form, "base_points") or 0),
            "continuous": _table(text(form, "continuous")),
            "cumulative": _table(text(form, "cumulative")),
            "after_last": text(form, "after_last") or "cycle",
            "reset": text(form, "reset") or "missed",
            "makeup_price_points": int(text(form, "makeup_price_points") or 0),
            "makeup_per_month": int(text(form, "makeup_per_month") or 0),
        }
        container(request).bus.execute(actor, SetCheckinRules(changes=changes))
        return redirect(PATH, done="settings_saved")

    return await handle_post(request, action, lambda error: _page(request, error=error, status_code=422))


def _prizes(lines: str) -> tuple[Prize, ...]:
    """One prize a line: ``name, kind, weight, stock, points`` (stock empty: unlimited)."""
    prizes = []
    for n, line in enumerate(x for x in lines.splitlines() if x.strip()):
        cells = [c.strip() for c in line.replace("，", ",").split(",")] + ["", "", "", ""]
        try:
            kind = PrizeKind(cells[1] or "none")
            prizes.append(
                Prize(
                    f"p{n + 1}",
                    cells[0],
                    kind,
                    int(cells[2] or 0),
                    int(cells[3]) if cells[3] else None,
                    int(cells[4] or 0),
                    cells[5] or None if kind in {PrizeKind.COUPON, PrizeKind.MALL_ITEM} else None,
                )
            )
        except ValueError as exc:
            raise InvalidInput("Write one prize a line: name, kind, weight, stock, points.") from exc
    return tuple(prizes)


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=BUSINESS_TZ)
    except ValueError as exc:
        raise InvalidInput("Give the start and the end as dates and times.") from exc


@router.post(f"{PATH}/lottery", response_model=None)
async def create_lottery(request: Request) -> Response:
    actor = operator(request)

    def action(form: FormData) -> Response:
        command = CreateLotteryCampaign(
            name=text(form, "name"),
            starts_at=_moment(text(form, "starts_at")),
            ends_at=_moment(text(form, "ends_at")),
            prizes=_prizes(text(form, "prizes")),
            cost_points=int(text(form, "cost_points") or 0),
            free_per_day=int(text(form, "free_per_day") or 0),
            per_day_limit=int(text(form, "per_day_limit")) if text(form, "per_day_limit") else None,
            budget_points=int(text(form, "budget_points")) if text(form, "budget_points") else None,
            draws_per_purchase=int(text(form, "draws_per_purchase") or 0),
            purchase_min_fen=int(
                parse_yuan(text(form, "purchase_min_yuan") or "0", field="purchase_min_yuan")
            ),
            idempotency_key=text(form, "idempotency_key") or None,
        )
        container(request).bus.execute(actor, command)
        return redirect(PATH, done="campaign_created")

    return await handle_post(request, action, lambda error: _page(request, error=error, status_code=422))
