"""payer_configs/ validation: the shipped folder loads; typos name the file and key; the safety
properties (unknown values never enforced, only verified or reviewed rules hold) are enforced."""

from __future__ import annotations

import datetime as dt
import shutil
import typing
from pathlib import Path

import pytest

from gateway.domain.findings import Severity, SourceStatus
from gateway.errors import ConfigError, ConfigProblems
from gateway.rules import models
from gateway.rules.book import RuleBook, load_rule_book
from gateway.rules.config import load_config
from gateway.rules.kinds import CHECKS
from tests.rules.helpers import PAYER_CONFIGS, REPO


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    target = tmp_path / "payer_configs"
    shutil.copytree(PAYER_CONFIGS, target)
    return target


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ConfigProblems) as caught:
        load_config(folder)
    assert isinstance(caught.value, ConfigError)
    return caught.value.problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_shipped_configs_load_and_every_payer_version_compiles() -> None:
    book = RuleBook(load_config(PAYER_CONFIGS))
    assert {"esi", "facet", "si_joint", "trigger_point", "scs", "ncci"} <= set(book.config.packs)
    medicare = {name for name, payer in book.config.payers.items() if payer.kind == "medicare"}
    assert medicare == {f"medicare-{mac}" for mac in ("noridian", "cgs", "wps", "ngs", "palmetto", "novitas")}
    assert any(payer.kind == "commercial" for payer in book.config.payers.values())
    rulesets = [
        book.ruleset(payer, version, version.effective_from)
        for payer in book.config.payers.values()
        for version in payer.versions
    ]
    assert len(rulesets) >= 7  # six MACs and BCBS MA, one version each at least
    assert [r.version_id for r in rulesets if not r.rules] == []
    assert [r.version_id for r in rulesets if len(r.version_id) > 80] == []  # String(80) column


def test_only_verified_or_reviewed_rules_can_hold() -> None:
    book = RuleBook(load_config(PAYER_CONFIGS))
    rules = [
        rule
        for payer in book.config.payers.values()
        for version in payer.versions
        for rule in book.ruleset(payer, version, version.effective_from).rules
    ]
    holding = [rule for rule in rules if rule.severity is Severity.ERROR]
    assert len(holding) >= 20  # the check below must have something to check
    assert [
        rule.id for rule in holding if rule.status is not SourceStatus.VERIFIED and rule.rule.reviewed is None
    ] == []
    dx_entries = [entry for rule in rules for entry in rule.dx]
    assert dx_entries, "the shipped dx articles are attached to rules"
    # Secondary ICD-10 lists: warnings, never holds.
    assert {entry.severity for entry in dx_entries} == {Severity.WARNING}


def test_the_rule_book_is_loaded_once_per_folder() -> None:
    assert load_rule_book(PAYER_CONFIGS) is load_rule_book(str(PAYER_CONFIGS))


def test_a_typo_in_a_key_names_file_rule_and_key(configs: Path) -> None:
    edit(configs / "packs" / "esi.yaml", "max_sessions: 4", "max_sesions: 4")
    problems = problems_of(configs)
    assert any(
        "packs/esi.yaml" in p
        and "'esi.frequency'" in p
        and "max_sesions" in p
        and "Extra inputs are not permitted" in p
        for p in problems
    ), problems


def test_status_unknown_is_refused(configs: Path) -> None:
    edit(configs / "packs" / "trigger_point.yaml", "status: unverified", "status: unknown")
    problems = problems_of(configs)
    assert any("tpi.units" in p and "never enforced" in p for p in problems), problems


def test_unknown_source_and_code_group_are_reported(configs: Path) -> None:
    edit(configs / "packs" / "si_joint.yaml", "sources: [L39383, L39462]", "sources: [L39383, L3946]")
    edit(configs / "packs" / "facet.yaml", 'codes: ["@facet_us"]', 'codes: ["@facet_usg"]')
    problems = problems_of(configs)
    assert any("si_joint.yaml" in p and "unknown source 'L3946'" in p for p in problems), problems
    assert any("facet.yaml" in p and "facet.ultrasound_guided" in p and "@facet_usg" in p for p in problems)


def test_a_malformed_code_range_is_reported(configs: Path) -> None:
    edit(configs / "packs" / "ncci.yaml", '["62320-62327"]', '["62327-62320"]')
    assert any("ncci.ptp_64772" in p and "62327-62320" in p for p in problems_of(configs))


def test_holding_on_an_unverified_rule_needs_a_review(configs: Path) -> None:
    payer = configs / "payers" / "medicare-cgs.yaml"
    payer.write_text(
        payer.read_text() + "    overrides:\n      - {rule: ncci.ptp_64772, severity: error, "
        "reason: clinic policy}\n"
    )
    problems = problems_of(configs)
    assert any("overrides[0]" in p and "reviewed" in p for p in problems), problems
    edit(
        configs / "packs" / "ncci.yaml",
        "      - id: ncci.ptp_64772\n",
        "      - id: ncci.ptp_64772\n        reviewed: {by: coding reviewer, date: 2026-11-28}\n",
    )
    book = RuleBook(load_config(configs))
    claim_payer = book.config.payers["medicare-cgs"]
    ruleset = book.ruleset(claim_payer, claim_payer.versions[0], dt.date(2026, 9, 1))
    assert next(r for r in ruleset.rules if r.id == "ncci.ptp_64772").severity is Severity.ERROR


def test_overlapping_versions_and_missing_route_target(configs: Path) -> None:
    edit(
        configs / "payers" / "medicare-noridian.yaml", "effective_to: 2026-05-20", "effective_to: 2026-06-30"
    )
    edit(configs / "routing.yaml", "payer: medicare-cgs", "payer: medicare-cgx")
    problems = problems_of(configs)
    assert any("medicare-noridian.yaml" in p and "overlap" in p for p in problems), problems
    assert any("routing.yaml" in p and "medicare-cgx" in p for p in problems), problems


def test_verified_rule_must_cite_a_verified_source(configs: Path) -> None:
    edit(
        configs / "packs" / "ncci.yaml",
        "status: unverified\n        sources: [MEMO_NCCI]",
        "status: verified\n        sources: [MEMO_NCCI]",
    )
    assert any("ncci.ptp_64772" in p and "none of its sources is verified" in p for p in problems_of(configs))


def test_broken_yaml_reports_the_line(configs: Path) -> None:
    (configs / "packs" / "esi.yaml").write_text("pack: esi\nversions: [\n  - x: :\n")
    assert any("packs/esi.yaml: line" in p and "not valid YAML" in p for p in problems_of(configs))


def test_every_rule_kind_has_a_check_and_a_guide_entry() -> None:
    kinds = set()
    for member in typing.get_args(typing.get_args(models.Rule)[0]):
        kinds.add(typing.get_args(member.model_fields["kind"].annotation)[0])
    assert kinds == set(CHECKS)
    guide = (REPO / "docs" / "adding_a_payer_rule.md").read_text()
    missing = sorted(kind for kind in kinds if f"`{kind}`" not in guide)
    assert not missing, f"document these kinds in docs/adding_a_payer_rule.md: {missing}"


def test_evaluate_uses_the_book_it_is_given() -> None:
    from gateway.rules import evaluate
    from tests.rules.helpers import claim, line

    result = evaluate(claim([line("62323", ["50"])]), None, load_rule_book(PAYER_CONFIGS))
    assert result.held and result.pack_version.startswith("medicare-cgs@")
    assert [f.rule_id for f in result.errors] == ["esi.il_bilateral"]


def test_raise_if_held_names_claim_and_first_rule() -> None:
    from gateway.errors import RuleViolation
    from gateway.rules import evaluate, raise_if_held
    from tests.rules.helpers import claim, line

    book = load_rule_book(PAYER_CONFIGS)
    held = claim([line("62323", ["50"]), line("64495")])
    with pytest.raises(RuleViolation) as caught:
        raise_if_held(held, evaluate(held, None, book))
    assert caught.value.claim_id == "RULETEST1" and caught.value.rule_id == "esi.il_bilateral"
    assert "line 1: esi.il_bilateral [L39015 v16]" in str(caught.value) and "more error" in str(caught.value)
    clean = claim([line("64483", ["RT"])])
    raise_if_held(clean, evaluate(clean, None, book))  # no exception
