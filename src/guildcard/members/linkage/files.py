"""Linkage on a file of people from any source: read the CSV with a column mapping, write the pairs."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from guildcard.members.domain.imports import parse_columns
from guildcard.members.errors import InvalidColumnMapping
from guildcard.members.import_files import read_path
from guildcard.members.linkage.model import Pair
from guildcard.members.linkage.prepare import FIELDS, Prepared, prepare


def read_people(path: Path, columns: str | None = None) -> list[Prepared]:
    """Each row as a person; ``columns`` maps the file's headers to ``FIELDS`` (same-named ones need none)."""
    table = read_path(path)
    mapping = parse_columns(columns, FIELDS)
    found: dict[str, int] = {}
    for index, header in enumerate(table.header):
        target = mapping.get(header) or (header.strip().lower() if header.strip().lower() in FIELDS else None)
        if target and target not in found:
            found[target] = index
    if "id" not in found:
        raise InvalidColumnMapping("no id column (map one with --columns header=id)", part="id")
    people = []
    for row in table.rows:
        record = {f: row[i] if i < len(row) else None for f, i in found.items()}
        people.append(prepare(record))
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise InvalidColumnMapping("the id column has repeated values", part="id")
    return people


def write_pairs(path: Path, pairs: Sequence[Pair], *, contributions: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        fields = list(pairs[0].contributions) if pairs and contributions else []
        writer.writerow(["id_l", "id_r", "probability", *(f"weight_{f}" for f in fields)])
        for p in pairs:
            writer.writerow(
                [
                    p.id_l,
                    p.id_r,
                    f"{p.probability:.6f}",
                    *(f"{p.contributions[f].weight:.2f}" for f in fields),
                ]
            )
