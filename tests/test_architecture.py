"""The package's layering, read from the imports of every module under gateway/ (no dependency).

* only gateway/store/ imports SQLAlchemy, opens a session or names a table row class;
* inbound/, x12/, rules/ and domain/ (parsing, building, deciding) import none of store/,
  pipeline/, transport/ or cli/;
* only pipeline/, daemon/ and cli/ import pipeline/ (the one place that sequences steps);
* pipeline/ never imports the clearinghouse simulator.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.store.models import Base

PACKAGE = Path(__file__).resolve().parent.parent / "gateway"
PURE = ("inbound", "x12", "rules", "domain")
OUTSIDE_THE_PURE = ("store", "pipeline", "transport", "cli")
MAY_IMPORT_PIPELINE = ("pipeline", "daemon", "cli")
TABLE_CLASSES = frozenset(mapper.class_.__name__ for mapper in Base.registry.mappers)

# Modules allowed to break the rule for pure packages while a move is under way (empty since
# the inbound sequencing moved from gateway/inbound/intake.py to gateway/pipeline/inbound.py).
PURE_RULE_PENDING: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module's path, relative to the repository
    line: int
    target: str  # dotted name imported
    names: tuple[str, ...]


def _package_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else ""


def _imports() -> Iterator[Import]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative.startswith("gateway/store/migrations/"):
            continue
        tree = ast.parse(path.read_text(), filename=relative)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(relative, node.lineno, alias.name, ())
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = tuple(alias.name for alias in node.names)
                yield Import(relative, node.lineno, node.module, names)
                for name in names:  # "from gateway import pipeline" imports the package
                    yield Import(relative, node.lineno, f"{node.module}.{name}", ())


def _session_calls() -> Iterator[str]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative.startswith("gateway/store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=relative)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "session"
            ):
                yield f"{relative}:{node.lineno}: .session()"


def _under(target: str, package: str) -> bool:
    return target == f"gateway.{package}" or target.startswith(f"gateway.{package}.")


IMPORTS = list(_imports())


def test_only_the_store_touches_sqlalchemy_sessions_and_rows() -> None:
    found = [
        f"{i.module}:{i.line}: {i.target}"
        for i in IMPORTS
        if not i.module.startswith("gateway/store/")
        and (
            i.target.split(".")[0] in ("sqlalchemy", "alembic")
            or (i.target.startswith("gateway.store") and TABLE_CLASSES.intersection(i.names))
        )
    ]
    found += list(_session_calls())
    assert found == []


def test_parsing_building_and_deciding_import_no_store_pipeline_transport_or_cli() -> None:
    found = sorted(
        {
            i.module
            for i in IMPORTS
            if _package_of(i.module) in PURE and any(_under(i.target, p) for p in OUTSIDE_THE_PURE)
        }
    )
    assert [module for module in found if module not in PURE_RULE_PENDING] == []
    # A module that keeps the rule now leaves the pending list (so the list only shrinks).
    assert sorted(PURE_RULE_PENDING - set(found)) == []


def test_only_pipeline_daemon_and_cli_import_the_pipeline() -> None:
    found = [
        f"{i.module}:{i.line}: {i.target}"
        for i in IMPORTS
        if _under(i.target, "pipeline") and _package_of(i.module) not in MAY_IMPORT_PIPELINE
    ]
    assert found == []


def test_the_pipeline_never_imports_the_simulator() -> None:
    found = [
        f"{i.module}:{i.line}: {i.target}"
        for i in IMPORTS
        if _package_of(i.module) == "pipeline" and _under(i.target, "simulator")
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("from sqlalchemy import select\n", test_only_the_store_touches_sqlalchemy_sessions_and_rows),
        (
            "from gateway.store.db import Store\n",
            test_parsing_building_and_deciding_import_no_store_pipeline_transport_or_cli,
        ),
        ("from gateway.pipeline import cycles\n", test_only_pipeline_daemon_and_cli_import_the_pipeline),
        ("import gateway.simulator.engine\n", test_the_pipeline_never_imports_the_simulator),
    ],
)
def test_each_rule_fails_on_a_module_that_breaks_it(source: str, rule: object) -> None:
    """The rules can fail: a module breaking each one, added to the scanned imports, is caught."""
    where = {
        test_only_the_store_touches_sqlalchemy_sessions_and_rows: "gateway/web/broken.py",
        test_parsing_building_and_deciding_import_no_store_pipeline_transport_or_cli: "gateway/x12/broken.py",
        test_only_pipeline_daemon_and_cli_import_the_pipeline: "gateway/simulator/broken.py",
        test_the_pipeline_never_imports_the_simulator: "gateway/pipeline/broken.py",
    }[rule]  # type: ignore[index]
    node = ast.parse(source).body[0]
    if isinstance(node, ast.ImportFrom):
        assert node.module is not None
        broken = Import(where, 1, node.module, tuple(alias.name for alias in node.names))
    else:
        assert isinstance(node, ast.Import)
        broken = Import(where, 1, node.names[0].name, ())
    IMPORTS.append(broken)
    try:
        with pytest.raises(AssertionError, match=r"broken\.py"):
            rule()  # type: ignore[operator]
    finally:
        IMPORTS.remove(broken)
