"""``guildcard members dedupe|dedupe-bench``: record linkage on a file, and its quality on a labelled set."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from guildcard.alliance import queries as alliance_queries
from guildcard.bootstrap import Container
from guildcard.cli.common import console, container_or_exit
from guildcard.kernel.actors import system_actor
from guildcard.members.errors import UnknownAlliance
from guildcard.members.linkage import model, synthetic
from guildcard.members.linkage.files import read_people, write_pairs
from guildcard.members.linkage.prepare import prepare

app = typer.Typer(help="Members: find the same person twice (record linkage).", no_args_is_help=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _opt(*names: str, **kwargs: Any) -> Any:
    return typer.Option(*names, **kwargs)


@app.command()
def dedupe(
    input_file: Annotated[
        Path, _opt("--input", exists=True, dir_okay=False, help="A CSV or XLSX of people.")
    ],
    output: Annotated[Path, _opt("--output", help="Where to write the pairs (CSV: id_l,id_r,probability).")],
    columns: Annotated[
        str | None,
        _opt(
            "--columns", help="Map headers to id, name (or given_name+family_name), birthday, phone, address…"
        ),
    ] = None,
    lower: Annotated[
        float, _opt("--lower", help="Drop pairs below this probability.")
    ] = model.LOWER_THRESHOLD,
    contributions: Annotated[bool, _opt("--contributions", help="Also write each field's weight.")] = False,
) -> None:
    """Write every candidate pair of the file at or above the lower threshold."""
    started, cpu = time.perf_counter(), _cpu()
    people = read_people(input_file, columns)
    pairs = model.find_pairs(people, lower=lower)
    write_pairs(output, pairs, contributions=contributions)
    certain = sum(1 for p in pairs if p.probability >= model.UPPER_THRESHOLD)
    console.print(
        f"{len(people)} people, {len(pairs)} pairs ({certain} near-certain ≥ {model.UPPER_THRESHOLD}, "
        f"{len(pairs) - certain} to review ≥ {lower}) in {time.perf_counter() - started:.1f} s "
        f"({_cpu() - cpu:.1f} s CPU) -> {output}"
    )


@app.command("dedupe-bench")
def dedupe_bench(
    people: Annotated[
        int, _opt("--people", help="Distinct people; 20 % get a second record with errors.")
    ] = 5000,
    seed: Annotated[int, _opt("--seed")] = 2026,
    as_json: Annotated[bool, _opt("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Precision, recall and F1 of the linkage on a labelled synthetic set, at both thresholds."""
    everyone = synthetic.people(people, seed=seed)
    started, cpu = time.perf_counter(), _cpu()
    pairs = model.find_pairs([prepare(p.record()) for p in everyone])
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    figures: dict[str, Any] = {
        "records": len(everyone),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
    }
    for band, threshold in (("review", model.LOWER_THRESHOLD), ("certain", model.UPPER_THRESHOLD)):
        q = synthetic.score(everyone, [(p.id_l, p.id_r) for p in pairs if p.probability >= threshold])
        figures[band] = {
            "threshold": threshold, "true_pairs": q.true_pairs, "found_pairs": q.found_pairs,
            "precision": round(q.precision, 4), "recall": round(q.recall, 4), "f1": round(q.f1, 4),
        }  # fmt: skip
    if as_json:
        typer.echo(json.dumps(figures))
        return
    console.print(f"{figures['records']} records, {seconds:.1f} s ({cpu_seconds:.1f} s CPU)")
    for band in ("review", "certain"):
        f = figures[band]
        console.print(
            f"≥ {f['threshold']} ({band}): precision {f['precision']:.4f} recall {f['recall']:.4f} "
            f"F1 {f['f1']:.4f} ({f['found_pairs']} found, {f['true_pairs']} true)"
        )


def _alliance_id(container: Container, code: str) -> str:
    with container.database.read() as conn:
        found = alliance_queries.get_alliance(conn, code)
    if found is None:
        raise UnknownAlliance(alliance=code)
    return found.id


@app.command("find-duplicates")
def find_duplicates(
    alliance: Annotated[str, _opt("--alliance", help="The alliance's code or id.")],
    full: Annotated[
        bool, _opt("--full", help="Keep pairs of unchanged members too (not only new/changed).")
    ] = False,
) -> None:
    """The alliance's linkage job: new and changed members against everyone; stores the new pairs."""
    with container_or_exit() as container:
        alliance_id = _alliance_id(container, alliance)
        started = time.perf_counter()
        run = container.members.merging.find_duplicates(
            system_actor(alliance_id, "cli"), alliance_id, full=full
        )
        console.print(
            f"{run.compared} members compared, {run.candidates} candidate pairs ({run.certain} near-certain, "
            f"{run.review} to review), {run.added} new, in {time.perf_counter() - started:.1f} s"
        )
        for pair in container.members.merging.pairs(alliance_id, limit=20):
            weights = ", ".join(
                f"{k} {v['weight']:+.1f}" for k, v in pair.contributions.items() if v["weight"]
            )
            console.print(
                f"{pair.pair_id} {pair.member_l} {pair.member_r} p={pair.probability:.4f} ({weights})"
            )


@app.command()
def merge(
    alliance: Annotated[str, _opt("--alliance", help="The alliance's code or id.")],
    survivor: Annotated[str, _opt("--survivor", help="The member who stays.")],
    absorbed: Annotated[str, _opt("--absorbed", help="The member merged into the survivor.")],
    pair: Annotated[str | None, _opt("--pair", help="The reviewed candidate pair, if any.")] = None,
) -> None:
    """Merge a reviewed pair (one transaction; undo within 30 days with ``unmerge``)."""
    with container_or_exit() as container:
        alliance_id = _alliance_id(container, alliance)
        done = container.members.merging.merge(
            system_actor(alliance_id, "cli"), alliance_id, survivor, absorbed, pair
        )
        console.print(
            f"merge {done.merge_id}: {done.points} points, {done.pending} pending, {done.growth} growth and "
            f"{done.purchases} purchases moved to {done.survivor_id}"
            + "".join(f", {kind} {n}" for kind, n in done.carried if n)
        )


@app.command()
def unmerge(
    alliance: Annotated[str, _opt("--alliance", help="The alliance's code or id.")],
    merge_id: Annotated[str, typer.Argument(help="The merge to undo.")],
) -> None:
    """Undo a merge within 30 days, when what it moved is still there (otherwise it says why not)."""
    with container_or_exit() as container:
        alliance_id = _alliance_id(container, alliance)
        done = container.members.merging.unmerge(system_actor(alliance_id, "cli"), alliance_id, merge_id)
        console.print(
            f"merge {done.merge_id} undone: {done.points} points back with {done.absorbed_id}"
            + "".join(f", {kind} {n}" for kind, n in done.carried if n)
        )
