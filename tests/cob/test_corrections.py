"""`gateway claims correct/void`: REF*F8 from the ledger, links, refusals that queue nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gateway.cli.main import _register, cli
from gateway.domain.claim import Claim
from gateway.domain.status import ClaimStatus
from gateway.errors import InputError
from gateway.pipeline import corrections
from gateway.pipeline.outbound import gate_issues
from gateway.store.db import Store
from gateway.store.followups import links_of
from tests.cob.claims import facet_claim, secondary_claim
from tests.cob.ledger import (
    DENIED_CLAIM,
    claim_rows,
    count_claims,
    ingest,
    record_sent,
    remit_text,
    status_277ca,
)
from tests.daemon.helpers import local_profile, make_daemon
from tests.foundation.helpers import build

PCN = "MBB2026061004"


def _corrected_file(folder: Path) -> Path:
    claim = facet_claim()
    claim["diagnosis_codes"] = ["M47.816", "M54.59"]
    path = folder / "corrected.json"
    path.write_text(json.dumps({"claims": [claim]}))
    return path


def _denied(store: Store, folder: Path) -> int:
    claim_id = record_sent(store, facet_claim())
    ingest(store, folder, "denied.835", remit_text([DENIED_CLAIM], amount="0"))
    return claim_id


@pytest.mark.postgres
def test_replacement_takes_ref_f8_from_the_835(any_store: Store, tmp_path: Path) -> None:
    original = _denied(any_store, tmp_path)
    done = corrections.correct(any_store, PCN, _corrected_file(tmp_path), "add M54.59", "operator:ann")
    assert (done.original_id, done.payer_claim_number, done.number_source) == (
        original,
        "26182000999901",
        "835",
    )
    rows = claim_rows(any_store, PCN)
    assert [(i, s) for i, s, _p, _c in rows] == [(original, "denied"), (done.new_id, "received")]
    payload = rows[1][3]
    assert (payload["frequency_code"], payload["original_claim_number"]) == ("7", "26182000999901")
    assert payload["diagnosis_codes"] == ["M47816", "M5459"]
    [link] = links_of(any_store, [original])
    assert (link.from_claim_id, link.to_claim_id, link.kind, link.reason, link.actor) == (
        original, done.new_id, "replacement", "add M54.59", "operator:ann",
    )  # fmt: skip
    text = build([Claim.model_validate(payload)]).text
    assert "CLM*MBB2026061004*1660***11:B:7*Y*A*Y*Y~" in text and "REF*F8*26182000999901~" in text
    assert gate_issues(text) == []


def test_replacement_takes_ref_f8_from_the_277ca(sqlite_store: Store, tmp_path: Path) -> None:
    record_sent(sqlite_store, facet_claim())
    ingest(sqlite_store, tmp_path, "a.277", status_277ca(PCN, "1660", "CCN-277-5512"))
    done = corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "add M54.59", "operator:ann")
    assert (done.payer_claim_number, done.number_source) == ("CCN-277-5512", "277CA")


def test_no_payer_claim_number_is_refused_unless_given(sqlite_store: Store, tmp_path: Path) -> None:
    original = record_sent(sqlite_store, facet_claim())
    message = (
        f"claim {PCN} (#{original}): no payer claim number on file (no 835 CLP07 or 277CA REF*1K names it); "
        "give it with --payer-claim-number"
    )
    with pytest.raises(InputError, match=re.escape(message)):
        corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "fix", "operator:ann")
    with pytest.raises(InputError, match=re.escape(message)):
        corrections.void(sqlite_store, PCN, "duplicate", "operator:ann")
    assert count_claims(sqlite_store) == 1
    done = corrections.void(sqlite_store, PCN, "duplicate", "operator:ann", payer_claim_number="PHONE-991")
    assert (done.payer_claim_number, done.number_source) == ("PHONE-991", "operator")
    payload = claim_rows(sqlite_store, PCN)[1][3]
    assert (payload["frequency_code"], payload["original_claim_number"]) == ("8", "PHONE-991")
    text = build([Claim.model_validate(payload)]).text
    assert "11:B:8" in text and "REF*F8*PHONE-991~" in text and gate_issues(text) == []


def test_an_already_replaced_version_cannot_be_corrected_again(sqlite_store: Store, tmp_path: Path) -> None:
    original = _denied(sqlite_store, tmp_path)
    first = corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "add M54.59", "operator:ann")
    message = (
        f"claim {PCN} (#{original}) was already replaced by #{first.new_id} (received); a further correction "
        f"starts from #{first.new_id} once it has been sent and answered"
    )
    with pytest.raises(InputError, match=re.escape(message)):
        corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "again", "operator:bob")
    with pytest.raises(InputError, match=re.escape(message)):
        corrections.void(sqlite_store, PCN, "again", "operator:bob")
    assert count_claims(sqlite_store) == 2


def test_the_old_payer_number_cannot_replace_a_replaced_claim_twice(
    sqlite_store: Store, tmp_path: Path
) -> None:
    original = _denied(sqlite_store, tmp_path)
    first = corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "add M54.59", "operator:ann")
    with (
        sqlite_store.session() as session
    ):  # the replacement left: it is the version a correction starts from
        from gateway.store.schema import ClaimRow

        row = session.get(ClaimRow, first.new_id)
        assert row is not None
        row.status = ClaimStatus.SENT
    with pytest.raises(
        InputError,
        match=re.escape(
            f"payer claim number 26182000999901 belongs to claim #{original}, which was already "
            f"replaced by #{first.new_id}"
        ),
    ):
        corrections.correct(
            sqlite_store, PCN, _corrected_file(tmp_path), "again", "operator:bob", "26182000999901"
        )


@pytest.mark.parametrize(
    ("setup", "command", "message"),
    [
        (lambda store: None, "correct", "no claim with patient control number MBB2026061004"),
        (lambda store: None, "void", "no claim with patient control number MBB2026061004"),
        (
            lambda store: record_sent(store, facet_claim(), "queued"),
            "void",
            "claim MBB2026061004 was never sent (it is queued): there is nothing at the payer to correct or void",
        ),
    ],
)
def test_bad_requests_queue_nothing(
    sqlite_store: Store, tmp_path: Path, setup: Any, command: str, message: str
) -> None:
    setup(sqlite_store)
    before = count_claims(sqlite_store)
    with pytest.raises(InputError, match=re.escape(message)):
        if command == "void":
            corrections.void(sqlite_store, PCN, "why", "operator:ann", "X1")
        else:
            corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "why", "operator:ann", "X1")
    assert count_claims(sqlite_store) == before


def test_a_correction_file_without_the_pcn_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    _denied(sqlite_store, tmp_path)
    claim = facet_claim()
    claim["patient_control_number"] = "OTHER1"
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"claims": [claim]}))
    with pytest.raises(
        InputError,
        match=re.escape(f"{path}: needs exactly one claim with patient control number {PCN}, has 0"),
    ):
        corrections.correct(sqlite_store, PCN, path, "why", "operator:ann")
    assert count_claims(sqlite_store) == 1


def test_cli_correct_then_show_lists_both_versions_and_the_link(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    with Store.open(url) as store:
        original = _denied(store, tmp_path)
    _register()
    env = {"GATEWAY_HOME": str(tmp_path), "GATEWAY_DB_URL": url}
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["claims", "correct", PCN, "--from", str(_corrected_file(tmp_path)), "--reason", "add M54.59",
         "--actor", "operator:ann"],
        env=env, catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    new_id = original + 1
    assert result.output == (
        f"claim {PCN}: replacement #{new_id} of #{original} queued for rules, gate and the next batch "
        "(REF*F8 26182000999901 from 835)\n"
    )
    shown = runner.invoke(cli, ["claims", "show", PCN], env=env, catch_exceptions=False).output.splitlines()
    # Each version's heading line (the lines under it list diagnoses with their titles, events ...).
    headings = [line for line in shown if line.startswith(f"claim {PCN} ")]
    assert headings == [
        f"claim {PCN} (#{original}) payer 03102, charge 1660.00, service 2026-06-10: denied",
        f"claim {PCN} (#{new_id}) payer 03102, replacement, charge 1660.00, service 2026-06-10: received",
    ]
    assert f"  #{original} -> #{new_id}: replacement (received), by operator:ann: add M54.59" in shown
    again = runner.invoke(cli, ["claims", "void", PCN, "--reason", "x"], env=env)
    assert isinstance(again.exception, InputError) and again.exception.exit_code == 2
    assert str(again.exception).startswith(f"claim {PCN} (#{original}) was already replaced by #{new_id}")


def test_the_daemon_sends_a_replacement_like_any_claim(sqlite_store: Store, tmp_path: Path) -> None:
    original = _denied(sqlite_store, tmp_path)
    done = corrections.correct(sqlite_store, PCN, _corrected_file(tmp_path), "add M54.59", "operator:ann")
    profile = local_profile(tmp_path)
    make_daemon(sqlite_store, tmp_path, {profile.name: profile}).run_until_idle()
    [uploaded] = sorted(Path(profile.upload_dir).iterdir())
    text = uploaded.read_text()
    assert "CLM*MBB2026061004*1660***11:B:7*Y*A*Y*Y~" in text and "REF*F8*26182000999901~" in text
    assert [(i, s) for i, s, _p, _c in claim_rows(sqlite_store, PCN)] == [
        (original, "denied"),
        (done.new_id, "sent"),
    ]


def test_a_secondary_claims_replacement_keeps_the_primarys_answer(
    sqlite_store: Store, tmp_path: Path
) -> None:
    original = record_sent(sqlite_store, secondary_claim())
    fixed = secondary_claim()
    del fixed["other_coverage"]  # the office fixes the services; the primary's answer stays as billed
    fixed["diagnosis_codes"] = ["M47.816", "M54.59"]
    path = tmp_path / "fixed.json"
    path.write_text(json.dumps({"claims": [fixed]}))
    done = corrections.correct(sqlite_store, PCN, path, "add M54.59", "operator:ann", "SUP-CCN-1")
    payload = claim_rows(sqlite_store, PCN)[1][3]
    assert done.original_id == original
    assert (
        payload["other_coverage"]
        == Claim.model_validate(secondary_claim()).model_dump(mode="json")["other_coverage"]
    )
    text = build([Claim.model_validate(payload)]).text
    assert "REF*F8*SUP-CCN-1~" in text and "SVD*03102*320*HC:64493:50**1~" in text and gate_issues(text) == []
