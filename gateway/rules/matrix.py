"""The coverage matrix: every limitation of payer_rules.md against the rules that encode it.

``payer_configs/coverage_matrix.yaml`` holds one row per limitation or indication (item, source,
research status) with either the rule ids that encode it or why it is not encoded.  ``render``
turns it into ``docs/coverage_matrix.md`` with each rule's status and the test files that name the
rule, and counts per family; ``problems`` lists what makes the matrix wrong: a rule id that does
not exist, a rule of the packs on no row, a verified row left "not_yet", a row with neither rules
nor a reason.  ``gateway config matrix`` prints it; the test suite compares it with the committed
file.  Pure functions over loaded data, except ``rule_mentions`` which reads the tests folder.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from gateway.errors import ConfigProblems
from gateway.rules.config import LoadedConfig
from gateway.rules.models import Strict

Reason = Literal["unknown_value", "not_decidable", "out_of_scope", "not_yet"]
REASONS: dict[str, str] = {
    "unknown_value": "unknown value",
    "not_decidable": "not decidable from claim data",
    "out_of_scope": "out of scope",
    "not_yet": "not encoded yet",
}
STATUS_TEXT = {"V": "verified", "U": "unverified", "D": "derived", "unknown": "unknown"}


class NotEncoded(Strict):
    reason: Reason
    why: str = Field(min_length=1)


class MatrixRow(Strict):
    item: str = Field(min_length=1)
    source: str
    status: Literal["V", "U", "D", "unknown"]
    rules: list[str] = Field(default_factory=list)
    not_encoded: NotEncoded | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _rules_or_reason(self) -> MatrixRow:
        if bool(self.rules) == (self.not_encoded is not None):
            raise ValueError("give either rules or not_encoded")
        return self


class MatrixFamily(Strict):
    family: str
    title: str
    sources: str
    rows: list[MatrixRow] = Field(min_length=1)


class MatrixFile(Strict):
    families: list[MatrixFamily] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    status: str
    where: str  # 'pack esi' or 'payer medicaid-alabama'


def load_matrix(path: Path) -> MatrixFile:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ConfigProblems(f"{path}: cannot read the coverage matrix: {error}") from None
    try:
        return MatrixFile.model_validate(raw)
    except ValidationError as error:
        problems = [
            f"{path}: {'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
        ]
        raise ConfigProblems(f"{len(problems)} problem(s) in {path}", problems) from None


def rule_index(config: LoadedConfig) -> dict[str, RuleInfo]:
    """Every rule id of every pack and payer file (any version) with its status and file."""
    rules: dict[str, RuleInfo] = {}
    for name, pack in config.packs.items():
        for version in pack.versions:
            for rule in version.rules:
                rules.setdefault(rule.id, RuleInfo(rule.status.value, f"pack {name}"))
    for name, payer in config.payers.items():
        for payer_version in payer.versions:
            for rule in payer_version.rules:
                rules.setdefault(rule.id, RuleInfo(rule.status.value, f"payer {name}"))
    return rules


# The matrix's own test names rule ids as data to break the matrix with, not as tests of the rules.
SELF_TEST = "test_coverage_matrix.py"


def rule_mentions(tests_dir: Path | None, rule_ids: set[str]) -> dict[str, Counter[str]]:
    """Per rule id: test file -> how many times it names the rule (as "id" or "id.<element>")."""
    found: dict[str, Counter[str]] = {rule_id: Counter() for rule_id in rule_ids}
    if tests_dir is None or not tests_dir.is_dir():
        return found
    quoted = re.compile(r"""["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")
    for path in sorted(tests_dir.rglob("test_*.py")):
        if path.name == SELF_TEST:
            continue
        for match in quoted.finditer(path.read_text()):
            name = match.group(1)
            while name and name not in found:
                name = name.rpartition(".")[0]
            if name:
                found[name][path.name] += 1
    return found


def problems(matrix: MatrixFile, rules: dict[str, RuleInfo]) -> list[str]:
    out: list[str] = []
    used: set[str] = set()
    for family in matrix.families:
        for number, row in enumerate(family.rows, start=1):
            label = f"{family.family} row {number} ({row.item[:50]})"
            for rule_id in row.rules:
                used.add(rule_id)
                if rule_id not in rules:
                    out.append(f"{label}: rule {rule_id} does not exist in payer_configs/")
            if row.status == "V" and row.not_encoded is not None and row.not_encoded.reason == "not_yet":
                out.append(f"{label}: a verified limitation the claim can decide is not encoded")
    for rule_id in sorted(set(rules) - used):
        out.append(f"rule {rule_id} ({rules[rule_id].where}) is on no row of the coverage matrix")
    return out


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def counts(family: MatrixFamily) -> dict[str, int]:
    out = {"rows": len(family.rows), "encoded": sum(bool(row.rules) for row in family.rows)}
    for reason in REASONS:
        out[reason] = sum(
            row.not_encoded is not None and row.not_encoded.reason == reason for row in family.rows
        )
    out["verified_decidable_unencoded"] = sum(
        row.status == "V" and row.not_encoded is not None and row.not_encoded.reason == "not_yet"
        for row in family.rows
    )
    return out


def render(matrix: MatrixFile, rules: dict[str, RuleInfo], tests: dict[str, Counter[str]]) -> str:
    lines = [
        "# Coverage matrix: payer_rules.md against the rule packs",
        "",
        "Generated by `gateway config matrix > docs/coverage_matrix.md` from `payer_configs/coverage_matrix.yaml`",
        "and the rule packs; `tests/rules/test_coverage_matrix.py` fails when this file is stale. Do not edit it",
        "by hand. Status is the research's (`../shared/reference/payer_rules.md`): verified, unverified, derived",
        "or unknown. A rule's own status is shown beside it; under a MAC whose LCD was not read it is weaker",
        "(see docs/adding_a_payer_rule.md), and only verified rules hold a claim. Tests: the test files that",
        "name the rule, with how many times.",
        "",
        "## Counts per family",
        "",
        (
            "| family | rows | encoded | not encoded: unknown value | not decidable from claim data | out of scope "
            "| verified and decidable, not encoded |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total: Counter[str] = Counter()
    for family in matrix.families:
        c = counts(family)
        total.update(c)
        lines.append(
            f"| {family.family} | {c['rows']} | {c['encoded']} | {c['unknown_value']} | {c['not_decidable']} "
            f"| {c['out_of_scope']} | {c['verified_decidable_unencoded']} |"
        )
    lines.append(
        f"| **all** | {total['rows']} | {total['encoded']} | {total['unknown_value']} | {total['not_decidable']} "
        f"| {total['out_of_scope']} | {total['verified_decidable_unencoded']} |"
    )
    for family in matrix.families:
        lines += [
            "",
            f"## {family.family}: {_cell(family.title)}",
            "",
            f"Sources: {_cell(family.sources)}",
            "",
        ]
        lines += [
            "| # | limitation or indication | source | status | encoded by | tests |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for number, row in enumerate(family.rows, start=1):
            item = _cell(row.item) + (f" *({_cell(row.note)})*" if row.note else "")
            if row.not_encoded is not None:
                encoded = f"not encoded: {REASONS[row.not_encoded.reason]} ({_cell(row.not_encoded.why)})"
                tested = ""
            else:
                encoded = ", ".join(
                    f"`{rule_id}` ({rules[rule_id].status if rule_id in rules else 'missing'})"
                    for rule_id in row.rules
                )
                files: Counter[str] = Counter()
                for rule_id in row.rules:
                    files.update(tests.get(rule_id, Counter()))
                tested = ", ".join(f"{name} ({count})" for name, count in sorted(files.items())) or "none"
            lines.append(
                f"| {family.family}-{number:02d} | {item} | {_cell(row.source)} | {STATUS_TEXT[row.status]} "
                f"| {encoded} | {tested} |"
            )
    return "\n".join(lines) + "\n"


def build(config: LoadedConfig, matrix_path: Path, tests_dir: Path | None) -> tuple[str, list[str]]:
    """(markdown, problems) for the matrix file against the loaded payer configs."""
    matrix = load_matrix(matrix_path)
    rules = rule_index(config)
    return render(matrix, rules, rule_mentions(tests_dir, set(rules))), problems(matrix, rules)
