"""Operator console: automation (``/ops/automation``) — the rules with their counts, pause and
resume, one-click presets, the rule form with a dry run (a read), the latest runs and messages,
and dead letters with a retry. Reads through ``automation.queries.console``, writes on the bus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from guildcard.automation.domain import rules as dom
from guildcard.automation.handlers.messages import RetryMessage
from guildcard.automation.handlers.rules import (
    CreateRule,
    DryRun,
    RuleNotFound,
    SetRuleStatus,
    draft,
    dry_run,
    preset_command,
)
from guildcard.automation.queries import console as queries
from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import InvalidInput
from guildcard.members import queries as member_queries
from guildcard.web.forms import keep_typed
from guildcard.web.pages import language_of
from guildcard.web.routes.ops_support import (
    container,
    form_day,
    form_number,
    form_values,
    handle_post,
    operator,
    redirect,
    render,
    text,
)

router = APIRouter(include_in_schema=False)
PAGE = "/ops/automation"


def _page(
    request: Request, actor: Actor, *, error: str = "", trial: DryRun | None = None, tried: str = ""
) -> HTMLResponse:
    box = container(request)
    with box.database.read() as conn:
        seen = queries.console(conn, actor.alliance_id)
    names = {row.rule.id: row.rule.name for row in seen.rules}
    return render(
        request,
        "ops/automation.html",
        actor=actor,
        active=PAGE,
        console=seen,
        names=names,
        presets=dom.PRESETS.values(),
        triggers=dom.TRIGGERS.values(),
        trigger_names={
            t.code: t.label_zh if language_of(request).startswith("zh") else t.label_en
            for t in dom.TRIGGERS.values()
        },
        channels=[c.value for c in dom.Channel],
        kinds=[k.value for k in dom.MessageKind],
        trial=trial,
        tried=tried,
        symbols_of=symbols_of,
        template_variables=template_variables,
        error=error,
        status_code=422 if error else 200,
    )


def _command(form: FormData) -> CreateRule:
    try:
        channel, kind = dom.Channel(text(form, "channel")), dom.MessageKind(text(form, "kind"))
    except ValueError as exc:
        raise InvalidInput("Choose a channel and a kind.", field="channel") from exc
    quiet_start = form_number(form, "quiet_start", default=None)
    quiet_end = form_number(form, "quiet_end", default=None)
    controls = dom.Controls(
        cap_per_member=form_number(form, "cap_per_member", default=1) or 0,
        cap_window_days=form_number(form, "cap_window_days", default=7) or 0,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        budget_runs=form_number(form, "budget_runs", default=None),
        starts_at=form_day(form, "starts_at"),
        ends_at=form_day(form, "ends_at", end=True),
    )
    if not 1 <= controls.cap_per_member <= 100:
        raise dom.BadControls(field="cap_per_member")
    if not 1 <= controls.cap_window_days <= 366:
        raise dom.BadControls(field="cap_window_days")
    if (quiet_start is None) != (quiet_end is None) or any(
        h is not None and not 0 <= h <= 23 for h in (quiet_start, quiet_end)
    ):
        raise dom.BadControls(field="quiet_start")
    return CreateRule(
        name=text(form, "name"),
        trigger=text(form, "trigger"),
        condition=text(form, "condition"),
        actions=(dom.MessageAction(channel, kind, text(form, "title"), text(form, "body")),),
        controls=controls,
        paused=text(form, "paused") == "1",
        idempotency_key=text(form, "idempotency_key") or None,
        params=_schedule(form, text(form, "trigger")),
    )


def _schedule(form: FormData, trigger: str) -> dict[str, object]:
    """A schedule trigger's setting from the form: its days (N days quiet / before expiry) or date."""
    if trigger in dom.SCHEDULE_DAYS:
        params: dict[str, object] = {
            "days": form_number(form, "schedule_days", default=dom.SCHEDULE_DAYS[trigger][0])
        }
    elif trigger == "on_date":
        params = {"on": text(form, "schedule_on")}
    else:
        return {}
    try:  # checked here too, so that the error names the form's field
        return dom.check_params(dom.TRIGGERS[trigger], params)
    except dom.BadSchedule as exc:
        raise dom.BadSchedule(field="schedule_" + str(exc.details.get("field"))) from exc


def _try(request: Request, actor: Actor, rule: queries.Rule) -> DryRun:
    box = container(request)
    with box.database.read() as conn:
        consenting = member_queries.consenting(conn, actor.alliance_id, "marketing")
        return dry_run(
            conn, actor.alliance_id, rule, now=box.clock.now(), consenting=consenting,
            schedules=box.automation_schedules,
        )  # fmt: skip


@router.get(PAGE, response_class=HTMLResponse)
def automation(request: Request) -> Response:
    return _page(request, operator(request))


@router.post(f"{PAGE}/rules", response_class=HTMLResponse)
async def add_rule(request: Request) -> Response:
    """``action=dry_run``: who the form's rule would reach now (nothing is written); else save it."""
    actor = operator(request)

    def act(form: FormData) -> Response:
        command = _command(form)
        if text(form, "action") == "dry_run":
            rule = draft(command, now=container(request).clock.now())
            page = _page(request, actor, trial=_try(request, actor, rule), tried=rule.name)
            return keep_typed(page, action=request.url.path, values=form_values(form), field=None, message="")
        container(request).bus.execute(actor, command)
        return redirect(PAGE, done="rule_created")

    return await handle_post(request, act, lambda error: _page(request, actor, error=error))


@router.post(PAGE + "/presets/{preset}", response_class=HTMLResponse)
async def add_preset(request: Request, preset: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        command = preset_command(preset, idempotency_key=text(form, "idempotency_key"))
        container(request).bus.execute(actor, command)
        return redirect(PAGE, done="rule_created")

    return await handle_post(request, act, lambda error: _page(request, actor, error=error))


@router.post(PAGE + "/rules/{rule_id}/status", response_class=HTMLResponse)
async def set_status(request: Request, rule_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        active = text(form, "active") == "1"
        container(request).bus.execute(actor, SetRuleStatus(rule_id=rule_id, active=active))
        return redirect(PAGE, done="rule_resumed" if active else "rule_paused")

    return await handle_post(request, act, lambda error: _page(request, actor, error=error))


@router.post(PAGE + "/rules/{rule_id}/dry-run", response_class=HTMLResponse)
async def try_rule(request: Request, rule_id: str) -> Response:
    actor = operator(request)

    def act(_form: FormData) -> Response:
        with container(request).database.read() as conn:
            rule = queries.rule(conn, actor.alliance_id, rule_id)
        if rule is None:
            raise RuleNotFound()
        return _page(request, actor, trial=_try(request, actor, rule), tried=rule.name)

    return await handle_post(request, act, lambda error: _page(request, actor, error=error))


@router.post(PAGE + "/messages/{message_id}/retry", response_class=HTMLResponse)
async def retry(request: Request, message_id: str) -> Response:
    actor = operator(request)

    def act(form: FormData) -> Response:
        command = RetryMessage(message_id=message_id, idempotency_key=text(form, "idempotency_key") or None)
        container(request).bus.execute(actor, command)
        return redirect(PAGE, done="message_retried")

    return await handle_post(request, act, lambda error: _page(request, actor, error=error))


def symbols_of(trigger: dom.Trigger) -> list[tuple[str, str]]:
    """The trigger's condition fields and their type (number or text), for the form's help."""
    return [(name, "number" if kind is dom._T.FLOAT else "text") for name, kind in trigger.symbols.items()]


def template_variables(trigger: dom.Trigger) -> list[str]:
    names = [*trigger.symbols, "name"]
    return names + [n.removesuffix("_fen") + "_yuan" for n in trigger.symbols if n.endswith("_fen")]
