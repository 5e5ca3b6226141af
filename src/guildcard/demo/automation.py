"""The demo's automation: three one-click presets switched on before the story (a welcome for new
members, a first-order note, a thank-you for big spenders), run by the worker over the story's events
with the story's consents, caps and quiet hours; what they did is counted for the JSON summary."""

from __future__ import annotations

from guildcard.automation.handlers.rules import preset_command
from guildcard.automation.queries.rules import message_counts, run_counts
from guildcard.bootstrap import Container
from guildcard.demo.setup import SeededAlliance

PRESETS = ("welcome", "first_order_gift", "big_spender")


def open_automation(container: Container, alliance: SeededAlliance) -> None:
    for code in PRESETS:
        container.bus.execute(alliance.admin, preset_command(code, idempotency_key=f"demo-preset-{code}"))


def automation_figures(container: Container, alliance: SeededAlliance) -> dict[str, int]:
    """``automation_runs`` (every rule decision, whatever its outcome) and ``messages_sent``."""
    with container.database.read() as conn:
        runs, messages = run_counts(conn, alliance.id), message_counts(conn, alliance.id)
    return {"automation_runs": sum(runs.values()), "messages_sent": messages.get("sent", 0)}
