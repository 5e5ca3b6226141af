"""``guildcard settle``: statements per merchant for a period; ``--close`` closes it (once)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from guildcard.cli.common import console, container_or_exit
from guildcard.kernel.actors import system_actor
from guildcard.kernel.money import format_fen
from guildcard.ledger import settings_store
from guildcard.settlement import exports
from guildcard.settlement.service import Statement
from guildcard.settlement.wiring import settlement_service

COLUMNS = [
    ("issued", "points_issued", False),
    ("redeemed", "points_redeemed", False),
    ("sales", "member_sales", True),
    ("issue value", "issue_value", True),
    ("reimbursed", "reimbursement", True),
    ("commission", "commission", True),
    ("fees", "redemption_fees", True),
    ("entry fee", "entry_fees", True),
    ("breakage share", "breakage_share", True),
    ("net", "net", True),
]


def settle(  # noqa: PLR0917 (typer: one parameter per option)
    period: Annotated[str, typer.Option(help="2026-11 (month), 2026-W48 (ISO week) or 2026-11-23 (day).")],
    alliance: Annotated[str | None, typer.Option(help="One alliance (default: every alliance).")] = None,
    close: Annotated[bool, typer.Option("--close", help="Close the period: post and freeze it.")] = False,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the statements as CSV.")] = None,
    xlsx_out: Annotated[Path | None, typer.Option("--xlsx", help="Also write them as Excel.")] = None,
    lang: Annotated[str, typer.Option(help="Headers of the CSV and Excel files: zh or en.")] = "zh",
) -> None:
    """Show (or close) the settlement statements of a period: one net amount per merchant."""
    with container_or_exit() as container:
        service = settlement_service(container)
        if alliance:
            alliances = [alliance]
        else:
            with container.database.read() as conn:
                alliances = settings_store.alliance_ids(conn)
        found: list[Statement] = []
        for alliance_id in alliances:
            actor = system_actor(alliance_id, "cli")
            if close:
                result = service.close(actor, period)
                statements = result.statements
                note = "already closed" if result.replayed else "closed now"
                console.print(
                    f"[green]{alliance_id} {period}: {note}[/], checkpoint {result.checkpoint_seq} "
                    f"root {result.checkpoint_root}"
                )
            else:
                statements = service.statements(actor, period)
            console.print(table(alliance_id, period, statements))
            found += statements
        if csv_out:
            csv_out.write_text(exports.to_csv(found, lang), encoding="utf-8")
        if xlsx_out:
            xlsx_out.write_bytes(exports.to_xlsx(found, lang))


def table(alliance_id: str, period: str, statements: list[Statement]) -> Table:
    status = statements[0].status if statements else "open"
    out = Table(title=f"settlement {alliance_id} {period} ({status})")
    out.add_column("merchant")
    for title, _, _ in COLUMNS:
        out.add_column(title, justify="right")
    for s in statements:
        cells = [
            format_fen(getattr(s.figures, name)) if money else str(getattr(s.figures, name))
            for _, name, money in COLUMNS
        ]
        out.add_row(f"{s.merchant_name} ({s.merchant_id})", *cells)
    out.add_row(
        "[bold]total[/]", *["" for _ in COLUMNS[:-1]], format_fen(sum(s.figures.net for s in statements))
    )
    return out
