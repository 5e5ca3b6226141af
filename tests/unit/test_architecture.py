"""The dependency rule of DESIGN.md, checked on every import in the source tree.

entry points -> services -> domain; domain and kernel import no framework; the ledger
uses only the kernel (and db infrastructure); no context imports an entry point.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
FRAMEWORKS = {
    "fastapi",
    "starlette",
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "alembic",
    "typer",
    "jinja2",
    "uvicorn",
}
ENTRY_POINTS = {"api", "web", "cli", "jobs"}
CONTEXTS = {"alliance", "members", "loyalty", "counter", "rewards", "settlement", "insights", "automation"}
TOP_LEVEL_WIRING = {"bootstrap", "settings", "logs", "__init__", "__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = module.split(".")[: -node.level]
                found.add(".".join([*base, node.module or ""]).rstrip("."))
            elif node.module:
                found.add(node.module)
    return found


def violations(module: str, imported: set[str]) -> list[str]:
    parts = module.split(".")
    area = parts[1] if len(parts) > 1 else ""
    problems = []
    is_domain = area == "kernel" or "domain" in parts
    for name in sorted(imported):
        root = name.split(".")[0]
        target = name.split(".")[1] if root == "guildcard" and "." in name else ""
        if is_domain and root in FRAMEWORKS:
            problems.append(f"{module}: domain code imports framework {name}")
        if is_domain and target in {"db", "settings", "bootstrap"}:
            problems.append(f"{module}: domain code imports infrastructure {name}")
        if area == "kernel" and root == "guildcard" and target not in {"kernel", ""}:
            problems.append(f"{module}: the kernel imports {name}")
        if area == "ledger" and target in CONTEXTS:
            problems.append(f"{module}: the ledger imports another context {name}")
        if area not in ENTRY_POINTS | TOP_LEVEL_WIRING and target in ENTRY_POINTS:
            problems.append(f"{module}: a context imports entry point {name}")
    return problems


def test_the_source_tree_keeps_the_dependency_rule():
    problems = []
    files = sorted(SRC.rglob("*.py"))
    assert files, "no sources found"
    for path in files:
        module = module_name(path)
        problems += violations(module, imports_of(path.read_text(encoding="utf-8"), module))
    assert problems == []


def test_no_source_module_imports_the_tests():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_name(path)
        imported = imports_of(path.read_text(encoding="utf-8"), module)
        found += [f"{module}: {name}" for name in sorted(imported) if name.split(".")[0] == "tests"]
    assert found == []


@pytest.mark.parametrize(
    ("module", "imported", "expected"),
    [
        ("guildcard.ledger.domain.entries", {"sqlalchemy"}, "framework"),
        ("guildcard.kernel.money", {"pydantic"}, "framework"),
        ("guildcard.counter.domain", {"fastapi.responses"}, "framework"),
        ("guildcard.ledger.service", {"guildcard.members.service"}, "another context"),
        ("guildcard.counter.service", {"guildcard.api.deps"}, "entry point"),
        ("guildcard.db.uow", {"guildcard.cli.main"}, "entry point"),
        ("guildcard.kernel.ids", {"guildcard.ledger"}, "the kernel imports"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(module, imported, expected):
    found = violations(module, imported)
    assert found, f"{module} importing {imported} should be refused"
    assert expected in found[0]


def test_allowed_imports_pass():
    assert violations("guildcard.counter.service", {"guildcard.ledger.service", "sqlalchemy"}) == []
    assert violations("guildcard.api.app", {"guildcard.counter.service", "fastapi"}) == []
    assert violations("guildcard.ledger.storage", {"guildcard.db.uow", "sqlalchemy"}) == []


# --- the write pipeline ----------------------------------------------------------------

# Opening a write transaction or claiming an idempotency key is the command bus's job.
PIPELINE_INTERNALS = {"guildcard.db.uow", "guildcard.db.idempotency"}
PIPELINE_HOMES = ("guildcard.pipeline", "guildcard.db")


def pipeline_violations(module: str, imported: set[str]) -> list[str]:
    if module.startswith(PIPELINE_HOMES):
        return []
    found = imported & PIPELINE_INTERNALS
    return [f"{module}: writes outside the command bus ({name})" for name in sorted(found)]


def _imports_with_names(source: str, module: str) -> set[str]:
    """Like ``imports_of``, plus ``pkg.name`` for every ``from pkg import name``."""
    found = imports_of(source, module)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_every_write_goes_through_the_command_bus():
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_name(path)
        problems += pipeline_violations(module, _imports_with_names(path.read_text(encoding="utf-8"), module))
    assert problems == []


def test_the_pipeline_checker_catches_a_hand_built_unit_of_work():
    assert pipeline_violations("guildcard.rewards.service", {"guildcard.db.uow"})
    assert pipeline_violations("guildcard.rewards.service", {"guildcard.db.idempotency"})
    assert pipeline_violations("guildcard.pipeline.bus", {"guildcard.db.uow"}) == []


# Writes that are not commands: bookkeeping of who authenticated when (throttled to one UPDATE
# per credential and minute), and the benchmarks' own baseline tables.
RAW_WRITE_ALLOWED = {
    "guildcard.api.auth": "touches a session token's last use",
    "guildcard.alliance.services.pos_keys": "touches a POS key's last use",
    "guildcard.ledger.bench": "the raw baseline the ledger is measured against",
    "guildcard.cli.bench_server": "the bare tpcb-like route of the counter benchmark's HTTP baseline",
}


def test_no_module_opens_a_write_transaction_of_its_own():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_name(path)
        if module.startswith(PIPELINE_HOMES) or module in RAW_WRITE_ALLOWED:
            continue
        if re.search(r"\bdatabase\.write\(\)|\.engine\.begin\(\)", path.read_text(encoding="utf-8")):
            found.append(module)
    assert found == []


# --- reading another context -------------------------------------------------------------

# A context's tables are its own: other contexts and the entry points read it through its
# queries (``<context>/queries.py`` or ``queries/``) and write through the command bus. Only the
# composition root and the schema (``db/``: metadata, migrations) see every context's storage.
TABLE_OWNERS = CONTEXTS | {"ledger"}
SEES_EVERY_STORAGE = ("guildcard.bootstrap", "guildcard.db")


def storage_violations(module: str, imported: set[str]) -> list[str]:
    if module in SEES_EVERY_STORAGE or module.startswith(tuple(f"{home}." for home in SEES_EVERY_STORAGE)):
        return []
    parts = module.split(".")
    own = parts[1] if len(parts) > 1 else ""
    problems = []
    for name in sorted(imported):
        root, owner, area = ([*name.split("."), "", ""])[:3]
        if root == "guildcard" and area == "storage" and owner in TABLE_OWNERS and owner != own:
            problems.append(
                f"{module}: reads another context's storage {name} (use guildcard.{owner}.queries)"
            )
    return problems


def test_contexts_read_each_other_only_through_their_queries():
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_name(path)
        problems += storage_violations(module, _imports_with_names(path.read_text(encoding="utf-8"), module))
    assert problems == []


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("guildcard.web.queries.ops_metrics", {"guildcard.ledger.storage.tables"}),
        ("guildcard.web.queries.ops_metrics", {"guildcard.members.storage.tables.members"}),
        ("guildcard.settlement.storage.activity", {"guildcard.ledger.storage.tables"}),
        ("guildcard.counter.handlers.quoting", {"guildcard.loyalty.storage.repository"}),
        ("guildcard.adapters.settlement_ports", {"guildcard.counter.storage"}),
        ("guildcard.api.v1.counter", {"guildcard.counter.storage.repository"}),
        ("guildcard.demo.setup", {"guildcard.alliance.storage"}),
        ("guildcard.rewards.handlers", {"guildcard.members.storage.repository.MemberRepository"}),
    ],
)
def test_the_storage_checker_catches_a_read_of_another_contexts_tables(module, imported):
    found = storage_violations(module, imported)
    assert found, f"{module} importing {imported} should be refused"
    assert "another context's storage" in found[0]


def test_a_context_its_composition_root_and_the_schema_may_use_its_storage():
    allowed = [
        ("guildcard.ledger.queries.settlement", "guildcard.ledger.storage.tables"),
        ("guildcard.settlement.handlers", "guildcard.settlement.storage.repository"),
        ("guildcard.bootstrap", "guildcard.members.storage.repository"),
        ("guildcard.db.tables", "guildcard.counter.storage.tables"),
        ("guildcard.settlement.service", "guildcard.ledger.queries.settlement"),
        ("guildcard.web.app", "guildcard.audit.tables"),
    ]
    for module, imported in allowed:
        assert storage_violations(module, {imported}) == [], (module, imported)
