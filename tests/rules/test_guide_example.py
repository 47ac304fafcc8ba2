"""Follows the worked example of docs/adding_a_payer_rule.md on a copy of payer_configs/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.domain.findings import Severity
from gateway.rules import engine
from gateway.rules.book import RuleBook
from gateway.rules.config import load_config
from tests.rules.helpers import PAYER_CONFIGS, REPO, claim, history, line

GUIDE = REPO / "docs" / "adding_a_payer_rule.md"
BLOCK = re.compile(r"```yaml\n# (new|append to) payer_configs/(\S+)\n(.*?)```", re.DOTALL)


def apply_guide(target: Path) -> int:
    steps = 0
    for action, relative, body in BLOCK.findall(GUIDE.read_text()):
        path = target / relative
        path.write_text(body if action == "new" else path.read_text() + body)
        steps += 1
    return steps


def example_claim() -> Claim:
    document = claim([line("64483", ["RT"])], filing="CI").model_dump(mode="json")
    document["payer"]["payer_id"] = "EXHP1"
    return Claim.model_validate(document)


def test_the_guide_example_adds_a_working_payer(tmp_path: Path) -> None:
    target = tmp_path / "payer_configs"
    shutil.copytree(PAYER_CONFIGS, target)
    assert apply_guide(target) == 4
    past = history(("64483", 150), ("64483", 90), ("64483", 20))
    result = engine.evaluate(example_claim(), past, RuleBook(load_config(target)))
    assert result.payer == "example-health-plan"
    [finding] = [f for f in result.findings if f.rule_id == "evicore.esi_six_months"]
    assert finding.severity is Severity.WARNING and not result.held
    # After review, the same rule holds the claim.
    pack = target / "packs" / "evicore_esi.yaml"
    pack.write_text(
        pack.read_text().replace(
            "        status: unverified\n",
            '        status: unverified\n        reviewed: {by: "A. Coder, CPC", date: 2026-12-01}\n',
        )
    )
    reviewed = engine.evaluate(example_claim(), past, RuleBook(load_config(target)))
    assert reviewed.held
    two_earlier = engine.evaluate(
        example_claim(), history(("64483", 150), ("64483", 90)), RuleBook(load_config(target))
    )
    assert not two_earlier.held
