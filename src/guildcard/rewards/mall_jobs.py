"""What ``guildcard jobs run-due`` runs for the mall and the lottery, each a command on the bus."""

from __future__ import annotations

from datetime import datetime

from guildcard.kernel.actors import system_actor
from guildcard.pipeline import CommandBus
from guildcard.rewards.handlers.lottery import RevealDueLotterySeeds
from guildcard.rewards.handlers.mall import ExpireMallOrders


def run_due(bus: CommandBus, alliance_id: str, moment: datetime) -> tuple[int, int]:
    """Void mall orders past their time (points and stock back), reveal ended lotteries' seeds.

    Returns (orders voided, seeds revealed). Safe to run again for the same moment.
    """
    actor = system_actor(alliance_id, "jobs")
    expired = bus.execute(actor, ExpireMallOrders(as_of=moment)).value
    revealed = bus.execute(actor, RevealDueLotterySeeds(as_of=moment)).value
    return len(expired.order_ids), len(revealed)
