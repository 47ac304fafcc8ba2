"""``make mutate``: run each module's tests against each of its mutants; print a table and the survivors.

    python -m tests.mutation.run                       # every module of the default folders
    python -m tests.mutation.run gateway/x12/writer.py # one module (or a folder)
    python -m tests.mutation.run --sample 40 ...       # an evenly spaced sample of each module's mutants
    python -m tests.mutation.run --sample 40 --sample-offset 0.5 ...  # the sample between those
    python -m tests.mutation.run --jobs 2 ...          # mutants run side by side (default: cores)

How: the parent imports pytest and the heavy third-party packages once, then forks one child per
mutant; the child serves the mutated source of the module through an import hook (the parent
never imports ``gateway``) and runs the module's tests with ``-x``. A mutant is killed when the
tests fail or time out (ten times the unmutated run), and survives when they pass. The tests that
start ``gateway`` as a subprocess see the unmutated code, so a mutant only they would catch counts
as a survivor: the scores are a floor.

Survivors judged equivalent (no test could tell them apart: a cache size, a message part no caller
shows ...) are listed with the reason in ``tests/mutation/equivalent.toml`` and left out of the
score; the score is killed / (mutants - equivalent).
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import importlib.util
import os
import signal
import sys
import time
import tomllib
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.mutation.mutator import Mutant, mutants

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TARGETS = ("gateway/x12", "gateway/inbound", "gateway/rules/kinds", "gateway/codesets")
EQUIVALENT_FILE = Path(__file__).with_name("equivalent.toml")

RULES_SUBPROCESS_TESTS = (
    "--ignore=tests/rules/test_cli_check.py",
    "--deselect=tests/rules/test_coverage_matrix.py::test_config_matrix_check_fails_on_a_stale_file",
)
# The code-set tests that run `gateway` as a subprocess (imports, status): as for the rules, they
# see the unmutated code, and they are 200 of the folder's 230 seconds.
CODESETS_SUBPROCESS_TESTS = tuple(
    f"--deselect=tests/codesets/{test}"
    for test in (
        "test_icd10_holds.py::test_gateway_check_and_build_hold_a_header_code",
        "test_icd10_holds.py::test_validate_reports_code_set_errors_in_a_foreign_837p",
        "test_icd10_import.py::test_import_then_a_dos_in_its_window_is_judged_by_it",
        "test_icd10_import.py::test_a_bad_tabular_is_refused_and_the_loaded_release_stays",
        "test_icd10_import.py::test_a_code_file_in_another_layout_is_refused_with_line_and_column",
        "test_lcd_articles.py::test_status_lists_the_articles_and_the_unparsed_paragraphs",
        "test_lcd_articles.py::test_a_file_without_a_required_column_is_refused_and_the_articles_stay",
        "test_ncci.py::test_imports_report_what_they_loaded",
        "test_ncci.py::test_status_lists_the_quarters",
        "test_ncci.py::test_a_truncated_file_is_refused_and_the_quarter_stays",
    )
)
# Which tests kill a module's mutants: the folders that exercise it in-process.  The first
# matching prefix wins; keep the narrower prefixes first.
TESTS_FOR: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "gateway/x12/writer.py",
        (
            "tests/foundation/test_writer_property.py",
            "tests/foundation/test_block_writer.py",
            "tests/foundation/test_writer_envelope.py",
        ),
    ),
    (
        "gateway/inbound/remittance_835.py",
        (
            "tests/inbound/test_golden_835.py",
            "tests/inbound/test_835_malformed.py",
            "tests/inbound/test_parsers.py",
            "tests/inbound/test_835_fields.py",
            "tests/inbound/test_ledger.py",
        ),
    ),
    ("gateway/x12/build_278.py", ("tests/x12_278",)),
    ("gateway/x12", ("tests/foundation",)),
    ("gateway/inbound/parse_278.py", ("tests/x12_278", "tests/inbound")),
    ("gateway/inbound", ("tests/inbound",)),
    # The pinned findings and the rule table kill most rule mutants first (pytest runs paths in
    # the order given and skips repeats), so a killed mutant stops early under -x. The tests that
    # run `gateway` as a subprocess see the unmutated rules and cannot kill a rule mutant; left out,
    # a surviving mutant's run takes a third of the time.
    (
        "gateway/rules/kinds/documentation.py",
        (
            "tests/documentation",
            "tests/rules/test_pinned_findings_kinds.py",
            "tests/rules/test_pinned_findings.py",
            "tests/rules",
            *RULES_SUBPROCESS_TESTS,
        ),
    ),
    (
        "gateway/rules",
        (
            "tests/rules/test_pinned_findings_kinds.py",
            "tests/rules/test_pinned_findings.py",
            "tests/rules/test_rule_table.py",
            "tests/rules",
            *RULES_SUBPROCESS_TESTS,
        ),
    ),
    ("gateway/codesets", ("tests/codesets", *CODESETS_SUBPROCESS_TESTS)),
)
# What the parent imports before forking, so each child starts warm (never anything of ours).
WARM_IMPORTS = (
    "pytest",
    "hypothesis",
    "sqlalchemy",
    "alembic",
    "pydantic",
    "yaml",
    "click",
    "rich",
    "paramiko",
    "pyx12",
    "pyx12.x12file",
    "decimal",
)


@dataclass
class ModuleResult:
    path: str
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    survivors: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        counted = self.total - self.equivalent
        return 100.0 * self.killed / counted if counted else 100.0


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module's mutated source; every other import goes the usual way."""

    def __init__(self, name: str, path: Path, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=str(self.path))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec"), module.__dict__)  # noqa: S102 - the point


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def tests_for(relative: str) -> tuple[str, ...]:
    for prefix, tests in TESTS_FOR:
        if relative.startswith(prefix):
            return tests
    raise SystemExit(f"mutate: no tests are configured for {relative} (tests/mutation/run.py TESTS_FOR)")


def _child(name: str, path: Path, source: str | None, tests: tuple[str, ...]) -> int:
    """In the forked child: run the tests, with the mutant in place when ``source`` is given."""
    import pytest

    if source is not None:
        sys.meta_path.insert(0, _MutantFinder(name, path, source))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    args = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header", *tests]
    return int(pytest.main(args))


def start(name: str, path: Path, source: str | None, tests: tuple[str, ...]) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 70
        try:
            os.setpgid(0, 0)
            code = _child(name, path, source, tests)
        finally:
            os._exit(code)
    return pid


def wait_all(running: dict[int, tuple[float, float]]) -> dict[int, int | None]:
    """Wait until one child ends (or exceeds its deadline: killed, result None)."""
    while True:
        now = time.monotonic()
        for pid, (_, deadline) in list(running.items()):
            if now > deadline:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                del running[pid]
                return {pid: None}
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            del running[pid]
            return {pid: os.waitstatus_to_exitcode(status)}
        time.sleep(0.05)


def load_equivalent() -> dict[str, set[tuple[str, str]]]:
    """module path -> {(line text, description)} judged equivalent."""
    if not EQUIVALENT_FILE.is_file():
        return {}
    data = tomllib.loads(EQUIVALENT_FILE.read_text())
    found: dict[str, set[tuple[str, str]]] = {}
    for entry in data.get("mutant", []):
        found.setdefault(entry["module"], set()).add((entry["line"], entry["change"]))
    return found


def run_module(
    path: Path, sample: int | None, jobs: int, equivalent: set[tuple[str, str]], offset: float = 0.0
) -> ModuleResult:
    relative = str(path.relative_to(REPO))
    name, tests = module_name(path), tests_for(relative)
    result = ModuleResult(relative)
    began = time.monotonic()
    base_pid = start(name, path, None, tests)
    _, status = os.waitpid(base_pid, 0)
    baseline = time.monotonic() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"mutate: the tests of {relative} fail without any mutant: {' '.join(tests)}")
    found = list(mutants(path.read_text()))
    if sample is not None and len(found) > sample:
        step = len(found) / sample
        found = [found[int((i + offset) * step)] for i in range(sample)]
    pending = list(found)
    running: dict[int, tuple[float, float]] = {}
    owner: dict[int, Mutant] = {}
    timeout = max(30.0, 10 * baseline)
    while pending or running:
        while pending and len(running) < jobs:
            mutant = pending.pop(0)
            pid = start(name, path, mutant.source, tests)
            running[pid] = (time.monotonic(), time.monotonic() + timeout)
            owner[pid] = mutant
        for pid, code in wait_all(running).items():
            mutant = owner.pop(pid)
            result.total += 1
            if code != 0:  # tests failed, errored or timed out (None)
                result.killed += 1
            elif (mutant.line_text, mutant.description) in equivalent:
                result.equivalent += 1
            else:
                result.survivors.append(mutant)
            if result.total % 25 == 0:
                print(
                    f"  {relative}: {result.total} of {len(found)} mutants run", file=sys.stderr, flush=True
                )
    result.seconds = time.monotonic() - began
    return result


def modules(targets: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        path = REPO / target
        if path.is_dir():
            found.extend(p for p in sorted(path.glob("*.py")) if p.name != "__init__.py")
        elif path.is_file():
            found.append(path)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make mutate", description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=list(DEFAULT_TARGETS))
    parser.add_argument("--sample", type=int, default=None, help="at most N mutants per module")
    parser.add_argument(
        "--sample-offset",
        type=float,
        default=0.0,
        help="start each sample this fraction of a step later (0.5: a second sample, none in the first)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args(argv)
    os.chdir(REPO)
    for name in WARM_IMPORTS:
        __import__(name)
    if any(name == "gateway" or name.startswith("gateway.") for name in sys.modules):
        raise SystemExit("mutate: gateway was imported before forking; mutants would not be seen")
    equivalent = load_equivalent()
    results = []
    for path in modules(options.targets):
        relative = str(path.relative_to(REPO))
        result = run_module(
            path, options.sample, options.jobs, equivalent.get(relative, set()), options.sample_offset
        )
        results.append(result)
        print(
            f"{relative}: {result.killed}/{result.total - result.equivalent} killed "
            f"({result.score:.1f}%), {result.equivalent} equivalent, {result.seconds:.0f} s",
            flush=True,
        )
        for mutant in result.survivors:
            print(
                f"  survived {relative}:{mutant.line}: {mutant.description} | {mutant.line_text}", flush=True
            )
    print()
    print("| module | mutants | equivalent | killed | survived | score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        print(
            f"| {result.path} | {result.total} | {result.equivalent} | {result.killed} | "
            f"{len(result.survivors)} | {result.score:.1f}% |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
