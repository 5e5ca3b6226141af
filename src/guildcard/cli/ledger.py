"""``guildcard ledger``: verify invariants, append checkpoints, print inclusion proofs."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from rich.markup import escape

from guildcard.cli.common import console, container_or_exit, err_console
from guildcard.loyalty import wallet_queries

app = typer.Typer(help="The points ledger: integrity checks, checkpoints, proofs.", no_args_is_help=True)


@app.command()
def verify(
    alliance: str = typer.Option(None, "--alliance", help="One alliance (default: every alliance)."),
) -> None:
    """Check every invariant (the stored-value top-ups against the wallet accounts too); exit 1
    naming each violation."""
    with container_or_exit() as container:
        report = container.ledger().verify(alliance)
        with container.database.read() as conn:
            wallets = {alliance_id: wallet_queries.verify(conn, alliance_id) for alliance_id in report}
    failed = 0
    for alliance_id, violations in sorted(report.items()):
        found = [(v.code, v.message) for v in violations] + [
            ("wallet_mismatch", m) for m in wallets[alliance_id]
        ]
        for code, message in found:
            failed += 1
            err_console.print(f"[red]violation[/] {escape(f'{alliance_id} [{code}] {message}')}")
        if not found:
            console.print(f"[green]ok[/] {alliance_id}: every invariant holds")
    if failed:
        err_console.print(f"{failed} violation(s)")
        raise typer.Exit(1)


@app.command()
def checkpoint(
    alliance: str = typer.Option(None, "--alliance", help="One alliance (default: every alliance)."),
) -> None:
    """Append a signed checkpoint over the entries since the previous one."""
    with container_or_exit() as container:
        service = container.ledger()
        for alliance_id in [alliance] if alliance else service.alliances():
            result = service.checkpoint(alliance_id)
            if result is None:
                console.print(f"{alliance_id}: no new entries")
            else:
                console.print(
                    f"{alliance_id}: checkpoint {result.seq}, {result.size} entries, root {result.root}"
                )


@app.command()
def proof(
    entry_id: str = typer.Argument(..., help="The entry to prove."),
    alliance: str = typer.Option(..., "--alliance", help="The entry's alliance."),
) -> None:
    """Print the inclusion proof of an entry as JSON (see docs/ledger-proofs.md to check it)."""
    with container_or_exit() as container:
        result = container.ledger().inclusion_proof(alliance, entry_id)
    typer.echo(json.dumps(asdict(result), indent=2))
