"""The linkage model: splink (Fellegi–Sunter) on DuckDB, with comparisons for people in China.

Each comparison has ordered levels, and each level a match weight log2(m/u): ``m`` (how often
a true pair looks like this) comes from priors about how people's records go wrong (below, the
same for every file), ``u`` (how often two different people look like this) is estimated on the
data itself by random sampling, and the prior that two records match by deterministic rules. A
pair's probability comes from the sum of its fields' weights; each field's weight is its
contribution shown in the review. DuckDB runs in memory: nothing is downloaded (the functions
used — levenshtein, damerau_levenshtein, jaro_winkler — are DuckDB's built-ins).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink import comparison_level_library as cll
from splink import comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from guildcard.members.linkage.prepare import Prepared

UPPER_THRESHOLD = 0.99  # at or above: a near-certain duplicate
LOWER_THRESHOLD = 0.80  # at or above (and below the upper one): for review; below: dropped
FIELDS_COMPARED = ("name", "birthday", "phone", "address", "id_number")
COLUMNS = tuple(Prepared.__dataclass_fields__)

for _name in ("splink", "splink.internals"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class Contribution:
    level: str
    weight: float  # log2 of the Bayes factor: > 0 for, < 0 against


@dataclass(frozen=True)
class Pair:
    id_l: str
    id_r: str
    probability: float
    match_weight: float
    contributions: dict[str, Contribution]

    @property
    def band(self) -> str:
        return "certain" if self.probability >= UPPER_THRESHOLD else "review"


def _levels(*levels: tuple[ComparisonLevelCreator, str, float]) -> list[ComparisonLevelCreator]:
    return [level.configure(label_for_charts=label, m_probability=m) for level, label, m in levels]


def _comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_pinyin"),
            *_levels(
                (cll.ExactMatchLevel("name_chars"), "as written", 0.80),
                (cll.ExactMatchLevel("name_pinyin"), "same pinyin", 0.06),
                (cll.ExactMatchLevel("name_tokens"), "family/given swapped", 0.03),
                (cll.ExactMatchLevel("name_syllables"), "characters in another order", 0.01),
                (
                    cll.CustomLevel(
                        "family_l = family_r and jaro_winkler_similarity(given_l, given_r) >= 0.88"
                    ),
                    "given name slip",
                    0.04,
                ),
                (
                    cll.CustomLevel(
                        "given_l = given_r and jaro_winkler_similarity(family_l, family_r) >= 0.85"
                    ),
                    "family name slip",
                    0.02,
                ),
                (cll.JaroWinklerLevel("name_pinyin", 0.85), "alike", 0.02),
                (cll.ElseLevel(), "different", 0.02),
            ),
        ],
    )
    birthday = cl.CustomComparison(
        output_column_name="birthday",
        comparison_levels=[
            cll.NullLevel("birth_digits"),
            *_levels(
                (cll.ExactMatchLevel("birth_digits"), "same day", 0.86),
                (
                    cll.CustomLevel(
                        "birth_y_l = birth_y_r and birth_m_l = birth_d_r and birth_d_l = birth_m_r"
                    ),
                    "day and month swapped",
                    0.03,
                ),
                (cll.DamerauLevenshteinLevel("birth_digits", 1), "one digit off", 0.06),
                (cll.DamerauLevenshteinLevel("birth_digits", 2), "two digits off", 0.02),
                (cll.ElseLevel(), "different", 0.03),
            ),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            *_levels(
                (cll.ExactMatchLevel("phone"), "same number", 0.78),
                (cll.ExactMatchLevel("phone_tail"), "same last 8 digits", 0.04),
                (cll.DamerauLevenshteinLevel("phone", 1), "one digit off", 0.06),
                (cll.ElseLevel(), "different", 0.12),
            ),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address"),
            *_levels(
                (cll.ExactMatchLevel("address"), "same", 0.60),
                (cll.JaroWinklerLevel("address", 0.92), "nearly the same", 0.17),
                (cll.JaroWinklerLevel("address", 0.75), "alike", 0.10),
                (cll.ElseLevel(), "different", 0.13),
            ),
        ],
    )
    id_number = cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.NullLevel("id_number"),
            *_levels(
                (cll.ExactMatchLevel("id_number"), "same", 0.95),
                (cll.DamerauLevenshteinLevel("id_number", 1), "one character off", 0.03),
                (cll.ElseLevel(), "different", 0.02),
            ),
        ],
    )
    return [name, birthday, phone, address, id_number]


BLOCKING_RULES = (
    block_on("phone"),
    block_on("phone_tail"),
    block_on("birth_digits"),
    block_on("name_tokens"),
    block_on("name_syllables"),
    block_on("id_number"),
    block_on("family", "birth_y", "substr(given, 1, 1)"),
)


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


def _table(records: Sequence[Prepared]) -> pa.Table:
    rows = [asdict(r) for r in records]
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in COLUMNS]))


def find_pairs(records: Sequence[Prepared], *, lower: float = LOWER_THRESHOLD, seed: int = 17) -> list[Pair]:
    """Every candidate pair at or above ``lower``, most probable first (ids must be unique)."""
    if len(records) < 2:
        return []
    connection = duckdb.connect(":memory:")
    try:
        api = DuckDBAPI(connection=connection)
        frame = api.register(_table(records))
        linker = Linker(frame, settings())
        prior = linker.training.estimate_probability_two_random_records_match
        rules: list[Any] = [block_on("phone"), block_on("name_tokens", "birth_digits"), block_on("id_number")]
        with contextlib.suppress(Exception):  # a tiny file has too few pairs to estimate: keep the default
            prior(rules, recall=0.8)
        # No sure pair at all (a small, clean file): assume about 5 % of the records are second copies.
        floor = 0.1 / (len(records) - 1)
        if linker._settings_obj._probability_two_random_records_match < floor / 10:
            linker._settings_obj._probability_two_random_records_match = floor
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(3e5, len(records) * (len(records) - 1) / 2),
            seed=seed,
            min_count_per_level=None,
            num_chunks=1,
        )
        scored = linker.inference.predict(threshold_match_probability=lower, warning_mode="never")
        table = scored.as_duckdbpyrelation().arrow()
        if hasattr(table, "read_all"):
            table = table.read_all()
        return sorted(_pairs(table.to_pylist(), linker), key=lambda p: (-p.probability, p.id_l, p.id_r))
    finally:
        connection.close()


def _labels(linker: Linker) -> dict[str, list[tuple[float, str]]]:
    """Each field's levels as (match weight, label): a pair's per-field weight names its level."""
    found: dict[str, list[tuple[float, str]]] = {}
    for comparison in linker._settings_obj.comparisons:
        levels = []
        for level in comparison.comparison_levels:
            if level.is_null_level:
                levels.append((0.0, "missing"))
                continue
            factor = level._bayes_factor
            levels.append((math.log2(factor) if factor and factor > 0 else 0.0, str(level.label_for_charts)))
        found[comparison.output_column_name] = levels
    return found


def _level(levels: list[tuple[float, str]], weight: float) -> str:
    return min(levels, key=lambda level: abs(level[0] - weight))[1]


def _pairs(rows: Iterable[dict[str, object]], linker: Linker) -> Iterable[Pair]:
    labels = _labels(linker)
    for row in rows:
        contributions = {}
        for field in FIELDS_COMPARED:
            weight = float(row[f"mw_{field}"] or 0.0)  # type: ignore[arg-type]
            contributions[field] = Contribution(_level(labels[field], weight), round(weight, 2))
        yield Pair(
            id_l=str(row["id_l"]),
            id_r=str(row["id_r"]),
            probability=float(row["match_probability"]),  # type: ignore[arg-type]
            match_weight=float(row["match_weight"]),  # type: ignore[arg-type]
            contributions=contributions,
        )
