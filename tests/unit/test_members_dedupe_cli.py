"""``guildcard members dedupe`` on a file of people from any source, with a column mapping."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from guildcard.cli.main import app

pytestmark = pytest.mark.slow


def test_dedupe_writes_candidate_pairs_from_a_mapped_file(tmp_path):
    source = tmp_path / "people.csv"
    rows = [
        ["编号", "姓", "名", "生日", "电话", "地址"],
        ["a1", "王", "伟", "1990-03-05", "13800138000", "上海市静安区南京西路1号"],
        ["a2", "Wang", "Wei", "19900503", "+86 138 0013 8000", "上海市静安区南京西路1号"],
        ["a3", "李", "娜", "1985/11/23", "13900000000", ""],
        ["a4", "李", "娜", "1985-11-32", "13900000000", ""],
    ]
    for i in range(60):
        birthday = f"19{50 + i % 50}-0{1 + i % 9}-1{i % 9}"
        rows.append([f"x{i}", "赵", chr(0x4E00 + i * 37), birthday, f"136{i:08d}", ""])
    with source.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    output = tmp_path / "pairs.csv"
    result = CliRunner().invoke(
        app,
        ["members", "dedupe", "--input", str(source), "--output", str(output),
         "--columns", "编号=id,姓=family_name,名=given_name,生日=birthday,电话=phone,地址=address"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8") as found:
        pairs = list(csv.DictReader(found))
    assert list(pairs[0]) == ["id_l", "id_r", "probability"]
    ids = {frozenset((p["id_l"], p["id_r"])) for p in pairs}
    assert frozenset(("a1", "a2")) in ids
    assert frozenset(("a3", "a4")) in ids
    assert all(float(p["probability"]) >= 0.8 for p in pairs)
