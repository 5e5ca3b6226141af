"""``guildcard jobs``: scheduled ledger jobs. Each is safe to run again for the same date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import typer

from guildcard.automation.handlers.schedules import RunSchedules
from guildcard.cli.common import console, container_or_exit
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import BUSINESS_TZ, business_date, ensure_utc
from guildcard.rewards import mall_jobs

app = typer.Typer(help="Scheduled jobs (expiry, pending points, holds, tiers).", no_args_is_help=True)

ALLIANCE = typer.Option(None, "--alliance", help="One alliance (default: every alliance).")


@app.command()
def expire(
    as_of: datetime = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Business date (default: yesterday)."
    ),
    alliance: str = ALLIANCE,
) -> None:
    """Move every unconsumed remainder that expired by the end of AS_OF to breakage."""
    with container_or_exit() as container:
        service = container.ledger()
        day: date = (
            as_of.date() if as_of else date.fromordinal(business_date(container.clock.now()).toordinal() - 1)
        )
        for alliance_id in [alliance] if alliance else service.alliances():
            result = service.expire(alliance_id, as_of=day)
            note = " (already done)" if result.replayed else ""
            console.print(
                f"{alliance_id}: expired {result.points} points from {result.lots} lots as of {day}{note}"
            )


@app.command("release-pending")
def release_pending(alliance: str = ALLIANCE) -> None:
    """Make pending points whose time has come spendable."""
    with container_or_exit() as container:
        service = container.ledger()
        for alliance_id in [alliance] if alliance else service.alliances():
            result = service.release_pending(alliance_id)
            console.print(f"{alliance_id}: released {result.points} points from {result.lots} lots")


@app.command("void-expired-holds")
def void_expired_holds(alliance: str = ALLIANCE) -> None:
    """Void holds whose time ran out, giving the points back."""
    with container_or_exit() as container:
        service = container.ledger()
        for alliance_id in [alliance] if alliance else service.alliances():
            result = service.void_expired_holds(alliance_id)
            console.print(f"{alliance_id}: voided {result.entries} holds ({result.points} points)")


@app.command("evaluate-tiers")
def evaluate_tiers(
    as_of: datetime = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Business date (default: yesterday)."
    ),
    alliance: str = ALLIANCE,
) -> None:
    """Evaluate every member's tier at the end of AS_OF (retention, grace, floors, cards that ended)."""
    with container_or_exit() as container:
        day: date = (
            as_of.date() if as_of else date.fromordinal(business_date(container.clock.now()).toordinal() - 1)
        )
        for alliance_id in [alliance] if alliance else container.ledger().alliances():
            console.print(_evaluated(container, alliance_id, day))


def _evaluated(container: Any, alliance_id: str, day: date) -> str:
    written = container.tiers.evaluate(alliance_id=alliance_id, as_of=day)
    note = " (already done)" if written.replayed else ""
    result = written.value
    return f"{alliance_id}: tiers as of {day}: {result.upgrades} up, {result.downgrades} down{note}"


@app.command("run-due")
def run_due(
    as_of: datetime = typer.Option(
        None, "--as-of", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"], help="The moment (default: now)."
    ),
    alliance: str = ALLIANCE,
) -> None:
    """Run whatever is due: release pending points, void timed-out holds, expire points, evaluate
    tiers, run the automation schedules. Safe to re-run."""
    with container_or_exit() as container:
        service = container.ledger()
        if as_of is None:
            moment = container.clock.now()
        else:  # a time without a zone is read in Asia/Shanghai, like every business date
            moment = ensure_utc(as_of if as_of.tzinfo else as_of.replace(tzinfo=BUSINESS_TZ))
        yesterday = date.fromordinal(business_date(moment).toordinal() - 1)
        for alliance_id in [alliance] if alliance else service.alliances():
            orders, seeds = mall_jobs.run_due(
                container.bus, alliance_id, moment
            )  # before the holds' own expiry
            released = service.release_pending(alliance_id, as_of=moment)
            voided = service.void_expired_holds(alliance_id, as_of=moment)
            expired = service.expire(alliance_id, as_of=yesterday)
            console.print(
                f"{alliance_id}: released {released.points} pending points ({released.lots} lots); "
                f"voided {voided.entries} holds; expired {expired.points} points as of {yesterday}; "
                f"voided {orders} mall orders; revealed {seeds} lottery seeds"
            )
            console.print(_evaluated(container, alliance_id, yesterday))
            schedules = RunSchedules(as_of=moment)
            ran = container.bus.execute(system_actor(alliance_id, "schedules"), schedules).value
            console.print(
                f"{alliance_id}: automation schedules: {ran.rules} rules, {ran.reached} members reached, "
                f"{ran.messages} messages queued"
            )
