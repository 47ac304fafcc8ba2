"""Third-party 837P files (../shared/corpus, skipped when absent) get answers that pass pyx12."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.inbound.document import parse_file
from tests.conftest import CORPUS
from tests.simulator.helpers import Harness, pyx12_verdict

FILES = sorted((CORPUS / "837P").glob("*")) if (CORPUS / "837P").is_dir() else []


@pytest.mark.corpus
@pytest.mark.skipif(not FILES, reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_answer_to_a_corpus_837p_passes_pyx12_and_our_parser(path: Path, tmp_path: Path) -> None:
    sim = Harness(tmp_path)
    sim.put("upload.x12", path.read_bytes())
    report = sim.cycle()
    names = sim.names()
    assert names, report.events
    for name in names:
        ok, errors = pyx12_verdict(sim.response(name))
        assert ok, f"{name}: {errors}"
        parsed = parse_file(sim.responses / name)
        assert parsed.findings == [], name
    if "upload.ta1.x12" in names:
        assert names == ["upload.ta1.x12"]  # an envelope we cannot accept gets nothing else
        return
    acks = parse_file(sim.responses / "upload.999.x12").to_json()["transactions"]
    accepted = [t for ack in acks for t in ack["transaction_acks"] if t["ack_code"] in ("A", "E")]
    assert ("upload.277ca.x12" in names) == bool(accepted)
