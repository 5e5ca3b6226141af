"""The demo's automation: one-click presets switched on before the story (a welcome for new
members, a first-order note, a thank-you for big spenders; a win-back after 60 quiet days, an expiry
notice 30 days before, the birthday gift), run by the worker over the story's events with the
story's consents, caps and quiet hours, and the schedules run once at the story's end; what they
did is counted for the JSON summary."""

from __future__ import annotations

from guildcard.automation.domain.rules import Channel, MessageAction, MessageKind
from guildcard.automation.handlers.rules import CreateRule, preset_command
from guildcard.automation.handlers.schedules import RunSchedules
from guildcard.automation.queries.rules import message_counts, run_counts
from guildcard.bootstrap import Container
from guildcard.demo.setup import SeededAlliance
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import business_date

PRESETS = ("welcome", "first_order_gift", "big_spender", "win_back", "points_expiring", "birthday_gift")


def open_automation(container: Container, alliance: SeededAlliance) -> None:
    for code in PRESETS:
        container.bus.execute(alliance.admin, preset_command(code, idempotency_key=f"demo-preset-{code}"))


THANKS = MessageAction(
    Channel.INBOX, MessageKind.MARKETING, "年终回馈", "感谢您一年来对商圈联盟的支持，年终回馈活动今天开始。"
)


def run_schedules(container: Container, alliance: SeededAlliance) -> int:
    """A date rule for the story's last day (a campaign announced to every consenting member),
    then the schedule job once (the worker then sends what it queued): how many members the
    schedule rules reached, whatever the outcome."""
    today = business_date(container.clock.now()).isoformat()
    dated = CreateRule(name="年终回馈", trigger="on_date", actions=(THANKS,), params={"on": today},
                       idempotency_key="demo-rule-year-end")  # fmt: skip
    container.bus.execute(alliance.admin, dated)
    done = container.bus.execute(system_actor(alliance.id, "demo-schedules"), RunSchedules()).value
    return int(done.reached)


def automation_figures(container: Container, alliance: SeededAlliance) -> dict[str, int]:
    """``automation_runs`` (every rule decision, whatever its outcome) and ``messages_sent``."""
    with container.database.read() as conn:
        runs, messages = run_counts(conn, alliance.id), message_counts(conn, alliance.id)
    return {"automation_runs": sum(runs.values()), "messages_sent": messages.get("sent", 0)}
