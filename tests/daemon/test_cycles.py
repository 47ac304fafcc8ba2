"""The daemon's cycles on SQLite and a local-folder clearinghouse: each protocol step and window."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from gateway.daemon.config import DaemonConfig
from gateway.domain.batch import BatchStatus
from gateway.pipeline import cycles
from gateway.pipeline.intake_folder import take_pending_files
from gateway.store import batch_ops, operator_ops
from gateway.store.batch_contents import BatchContentRow
from gateway.store.batches import BatchRow
from gateway.store.clearinghouse_stops import reset_stop
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, X12FileRow
from tests.daemon.helpers import (
    held_templates,
    local_profile,
    make_claims,
    make_daemon,
    pcns_in,
    write_pending,
)


def _uploaded(profile_dir: str) -> list[Path]:
    return sorted(p for p in Path(profile_dir).iterdir() if not p.name.startswith("."))


def _batches(store: Store) -> list[BatchRow]:
    with store.session() as session:
        return list(session.scalars(select(BatchRow).order_by(BatchRow.id)))


def _claim_statuses(store: Store) -> dict[str, str]:
    with store.session() as session:
        return dict(session.execute(select(ClaimRow.patient_control_number, ClaimRow.status)).all())


def test_clean_claims_go_out_in_batches_of_the_configured_size_and_held_ones_stay(
    sqlite_store: Store, tmp_path: Path
) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(23) + make_claims(2, "H", held_templates()), per_file=10)
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile}, max_claims_per_batch=10)
    daemon.run_until_idle()

    files = _uploaded(profile.upload_dir)
    assert [b.claim_count for b in _batches(sqlite_store)] == [10, 10, 3]
    assert sorted(pcns_in(files)) == [f"D{n:07d}" for n in range(23)]
    statuses = _claim_statuses(sqlite_store)
    assert statuses["H0000000"] == statuses["H0000001"] == "held"
    with sqlite_store.session() as session:
        held = session.scalar(select(ClaimRow).where(ClaimRow.patient_control_number == "H0000000"))
        assert held is not None and held.status_reason  # the rule's reason, for the operator
        kinds = [
            (e.kind, e.actor) for e in session.scalars(select(EventRow).where(EventRow.claim_id.is_(None)))
        ]
    assert ("batch.sent", "daemon:test") in kinds and ("batch.spooled", "daemon:test") in kinds
    assert sorted(p.name for p in (tmp_path / "outbound" / "pending" / "done").iterdir()) == [
        "claims_0000000.json", "claims_0000010.json", "claims_0000020.json",
    ]  # fmt: skip
    spool = Path(_batches(sqlite_store)[0].spool_path)
    assert spool.stat().st_mode & 0o777 == 0o600


def test_the_same_claims_file_dropped_twice_is_taken_once(sqlite_store: Store, tmp_path: Path) -> None:
    profile = local_profile(tmp_path)
    claims = make_claims(5)
    write_pending(tmp_path / "outbound", claims)
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    daemon.run_until_idle()
    write_pending(tmp_path / "outbound", claims)  # a re-delivery of the same bytes
    make_daemon(sqlite_store, tmp_path, {profile.name: profile}).run_until_idle()
    assert len(_uploaded(profile.upload_dir)) == 1
    with sqlite_store.session() as session:
        assert len(session.scalars(select(ClaimRow)).all()) == 5


def _one_spooled_batch(store: Store, tmp_path: Path) -> tuple[cycles.Context, BatchRow]:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(4))
    ctx = make_daemon(store, tmp_path, {profile.name: profile}).ctx
    cycles.intake_cycle(ctx)
    cycles.outbound_cycle(ctx, send=False)
    [batch] = _batches(store)
    assert batch.status == BatchStatus.SPOOLED
    return ctx, batch


def test_a_kill_after_the_upload_before_sent_is_recorded_does_not_send_twice(
    sqlite_store: Store, tmp_path: Path
) -> None:
    ctx, batch = _one_spooled_batch(sqlite_store, tmp_path)
    started = batch_ops.begin_sending(sqlite_store, batch.id, "daemon:dead")
    assert started is not None
    ctx.transport("localch").send(Path(batch.spool_path), batch.remote_name)  # ... and the process died here
    upload = Path(ctx.profiles["localch"].upload_dir)
    before = (upload / batch.remote_name).stat().st_mtime_ns

    report = cycles.outbound_cycle(ctx)
    assert report.counts.get("batches_found_on_server") == 1 and "batches_sent" not in report.counts
    assert (upload / batch.remote_name).stat().st_mtime_ns == before, "not uploaded again"
    assert [b.status for b in _batches(sqlite_store)] == ["sent"]
    assert set(_claim_statuses(sqlite_store).values()) == {"sent"}


def test_a_kill_after_sending_was_recorded_but_before_the_upload_uploads_once(
    sqlite_store: Store, tmp_path: Path
) -> None:
    ctx, batch = _one_spooled_batch(sqlite_store, tmp_path)
    batch_ops.begin_sending(sqlite_store, batch.id, "daemon:dead")  # intent committed, then killed
    report = cycles.outbound_cycle(ctx)
    assert report.counts.get("batches_sent") == 1
    assert [p.name for p in _uploaded(ctx.profiles["localch"].upload_dir)] == [batch.remote_name]
    assert _batches(sqlite_store)[0].attempts == 2


def test_a_different_file_under_our_remote_name_fails_the_batch_instead_of_overwriting(
    sqlite_store: Store, tmp_path: Path
) -> None:
    ctx, batch = _one_spooled_batch(sqlite_store, tmp_path)
    (Path(ctx.profiles["localch"].upload_dir) / batch.remote_name).write_bytes(b"someone else's")
    cycles.outbound_cycle(ctx)
    [failed] = _batches(sqlite_store)
    assert failed.status == "failed" and "on the server with 14 bytes" in (failed.status_reason or "")


def test_a_claim_held_while_its_batch_is_being_built_is_not_sent(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(3))
    ctx = make_daemon(sqlite_store, tmp_path, {profile.name: profile}).ctx
    cycles.intake_cycle(ctx)
    real_build = cycles.build_gated  # type: ignore[attr-defined]

    def build_then_operator_holds(*args: object, **kwargs: object) -> object:
        gated = real_build(*args, **kwargs)  # type: ignore[arg-type]
        operator_ops.hold(sqlite_store, "D0000001", "operator:test", "wrong payer")
        return gated

    monkeypatch.setattr(cycles, "build_gated", build_then_operator_holds)
    report = cycles.outbound_cycle(ctx)
    assert report.counts.get("batches_abandoned") == 1 and _batches(sqlite_store) == []
    assert list((tmp_path / "outbound" / profile.name).iterdir()) == [], "the abandoned spool file is removed"
    monkeypatch.setattr(cycles, "build_gated", real_build)
    cycles.outbound_cycle(ctx)
    assert sorted(pcns_in(_uploaded(profile.upload_dir))) == ["D0000000", "D0000002"]
    assert _claim_statuses(sqlite_store)["D0000001"] == "held"


def test_quiet_hours_build_but_do_not_contact_the_clearinghouse(sqlite_store: Store, tmp_path: Path) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(2))
    daemon = make_daemon(
        sqlite_store, tmp_path, {profile.name: profile}, quiet_hours=[{"start": "22:00", "end": "06:00"}]
    )
    daemon.clock = lambda: dt.datetime(2026, 11, 28, 23, 30)
    daemon.intake()
    daemon.outbound()
    assert daemon.poll() is None
    assert [b.status for b in _batches(sqlite_store)] == ["spooled"] and _uploaded(profile.upload_dir) == []
    daemon.clock = lambda: dt.datetime(2026, 11, 29, 6, 0)
    daemon.outbound()
    assert [b.status for b in _batches(sqlite_store)] == ["sent"]


def test_a_file_over_the_size_limit_is_split(sqlite_store: Store, tmp_path: Path) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(16))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile}, max_file_bytes=4096)
    daemon.run_until_idle()
    sizes = [b.size for b in _batches(sqlite_store)]
    assert len(sizes) > 1 and max(sizes) <= 4096
    assert sorted(pcns_in(_uploaded(profile.upload_dir))) == [f"D{n:07d}" for n in range(16)]


def test_payers_are_routed_to_their_clearinghouse(sqlite_store: Store, tmp_path: Path) -> None:
    claims = make_claims(6)
    special = claims[0]["payer"]["payer_id"]
    first = local_profile(tmp_path, "first", payers=[special])
    rest = local_profile(tmp_path, "rest")
    write_pending(tmp_path / "outbound", claims)
    make_daemon(sqlite_store, tmp_path, {"first": first, "rest": rest}).run_until_idle()
    to_first = set(pcns_in(_uploaded(first.upload_dir)))
    to_rest = set(pcns_in(_uploaded(rest.upload_dir)))
    assert to_first == {c["patient_control_number"] for c in claims if c["payer"]["payer_id"] == special}
    assert to_first.isdisjoint(to_rest) and len(to_first | to_rest) == 6


def _ack_999(batch: BatchRow, store: Store, code: str) -> bytes:
    with store.session() as session:
        file = session.get(X12FileRow, batch.file_id)
        assert file is not None
        st02s = sorted(set(session.scalars(select(FileClaimRow.transaction_control_number).where(
            FileClaimRow.file_id == batch.file_id))))  # fmt: skip
    segments = [
        "ISA*00*          *00*          *ZZ*LOCALCLEAR     *ZZ*CLINIC042      *261128*1200*^*00501*000000901*0*T*:",
        "GS*FA*LOCALCLEAR*CLINIC042*20261128*1200*901*X*005010X231A1",
        "ST*999*0001*005010X231A1",
        f"AK1*HC*{file.group_control_number}*005010X222A1",
    ]
    for st02 in st02s:
        segments += [f"AK2*837*{st02}*005010X222A1", f"IK5*{code}" + ("*5" if code == "R" else "")]
    segments += [f"AK9*{code}*{len(st02s)}*{len(st02s)}*{len(st02s) if code == 'A' else 0}"]
    segments += [f"SE*{len(segments) - 1}*0001", "GE*1*901", "IEA*1*000000901"]
    return ("~".join(segments) + "~").encode()


def test_poll_lands_a_999_in_the_ledger_acks_it_and_moves_the_batch(
    sqlite_store: Store, tmp_path: Path
) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(3))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    daemon.run_until_idle()
    [batch] = _batches(sqlite_store)
    (Path(profile.response_dir) / "ack.999").write_bytes(_ack_999(batch, sqlite_store, "A"))
    report = cycles.poll_cycle(daemon.ctx)
    assert report.counts.get("responses_recorded") == 1 and report.counts.get("batches_moved") == 1
    assert list(Path(profile.response_dir).iterdir()) == [], "acknowledged on the server after recording"
    assert [b.status for b in _batches(sqlite_store)] == ["acknowledged"]
    assert set(_claim_statuses(sqlite_store).values()) == {"acknowledged"}


def test_a_rejected_batch_replays_as_a_rebuild_with_new_control_numbers(
    sqlite_store: Store, tmp_path: Path
) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(3))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    daemon.run_until_idle()
    [batch] = _batches(sqlite_store)
    (Path(profile.response_dir) / "reject.999").write_bytes(_ack_999(batch, sqlite_store, "R"))
    cycles.poll_cycle(daemon.ctx)
    assert _batches(sqlite_store)[0].status == "rejected"

    mode, requeued = operator_ops.replay(sqlite_store, batch.id, "operator:ann", "fixed the submitter id")
    assert (mode.value, requeued) == ("rebuild", 3)
    make_daemon(sqlite_store, tmp_path, {profile.name: profile}).run_until_idle()
    old, new = _batches(sqlite_store)
    assert (old.status, new.status) == ("replaced", "sent")
    assert (
        new.interchange_control_number != old.interchange_control_number
        and new.remote_name != old.remote_name
    )
    files = _uploaded(profile.upload_dir)
    assert len(files) == 2 and files[0].read_bytes() != files[1].read_bytes()
    with pytest.raises(Exception, match="cannot replay"):
        operator_ops.replay(sqlite_store, batch.id, "operator:ann", "again")


def test_the_daemon_config_rejects_unknown_keys_naming_them(tmp_path: Path) -> None:
    from gateway.daemon.config import load_daemon_config
    from gateway.errors import ConfigError

    config = tmp_path / "gateway.yaml"
    config.write_text(json.dumps({"daemon": {"poll_interval": 60, "polling": 5}}))
    with pytest.raises(ConfigError, match=r"gateway.yaml: daemon.polling: Extra inputs"):
        load_daemon_config(config)
    config.write_text(json.dumps({"daemon": {"quiet_hours": [{"start": "22:00", "end": "06:00"}]}}))
    loaded = load_daemon_config(config)
    assert loaded.is_quiet(dt.datetime(2026, 1, 1, 23, 0)) and loaded.is_quiet(dt.datetime(2026, 1, 1, 5, 59))
    assert not loaded.is_quiet(dt.datetime(2026, 1, 1, 6, 0)) and not loaded.is_quiet(
        dt.datetime(2026, 1, 1, 12, 0)
    )
    assert DaemonConfig().max_claims_per_batch == 5000


def test_a_permanent_transport_failure_fails_the_batch_alerts_and_stops_that_clearinghouse(
    sqlite_store: Store, tmp_path: Path
) -> None:
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(4))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile}, max_claims_per_batch=2)
    daemon.intake()
    Path(profile.upload_dir).rmdir()  # the share is gone: an operator must act
    first = daemon.outbound()
    second = daemon.outbound()
    assert [b.status for b in _batches(sqlite_store)] == ["failed", "spooled"], "one failure, no loop"
    assert first.errors[0].endswith(
        "; clearinghouse stopped, after fixing the cause: gateway clearinghouse reset localch --reason TEXT"
    )
    assert second.counts["clearinghouses_stopped"] == 1 and len(second.errors) == 1
    assert second.errors[0].startswith("clearinghouse localch stopped since ")
    with sqlite_store.session() as session:
        [alert] = session.scalars(select(EventRow).where(EventRow.kind == "clearinghouse.alert")).all()
    assert alert.actor == "daemon:test" and "localch-upload" in (alert.detail or "")
    Path(profile.upload_dir).mkdir()
    mode, _ = operator_ops.replay(sqlite_store, 1, "operator:ann", "share remounted")
    assert mode.value == "resend"
    make_daemon(sqlite_store, tmp_path, {profile.name: profile}).run_until_idle()  # a restart
    assert [b.status for b in _batches(sqlite_store)] == ["spooled", "spooled"], "a restart keeps the stop"
    assert reset_stop(sqlite_store, "localch", "share remounted", "operator:ann") is not None
    make_daemon(sqlite_store, tmp_path, {profile.name: profile}).run_until_idle()
    assert [b.status for b in _batches(sqlite_store)] == ["sent", "sent"]
    assert sorted(pcns_in(_uploaded(profile.upload_dir))) == [f"D{n:07d}" for n in range(4)]


def test_an_invalid_claims_file_is_set_aside_with_its_reasons(sqlite_store: Store, tmp_path: Path) -> None:
    profile = local_profile(tmp_path)
    bad = make_claims(2)
    bad[1]["billing_provider"]["npi"] = "1234567890"  # wrong check digit
    write_pending(tmp_path / "outbound", bad)
    report = make_daemon(sqlite_store, tmp_path, {profile.name: profile}).intake()
    rejected = tmp_path / "outbound" / "pending" / "rejected"
    assert sorted(p.name for p in rejected.iterdir()) == ["claims_0000000.json", "claims_0000000.json.reason"]
    reason = (rejected / "claims_0000000.json.reason").read_text()
    assert "claims[1] (claim D0000001)" in reason and len(report.errors) == 1
    assert _claim_statuses(sqlite_store) == {}


def test_a_spool_file_changed_after_recording_is_never_sent(sqlite_store: Store, tmp_path: Path) -> None:
    ctx, batch = _one_spooled_batch(sqlite_store, tmp_path)
    recorded = Path(batch.spool_path).read_bytes()
    Path(batch.spool_path).write_bytes(recorded.replace(b"CLM*D", b"CLM*X"))
    cycles.outbound_cycle(ctx)
    [sent] = _batches(sqlite_store)
    assert sent.status == "sent"
    [uploaded] = _uploaded(ctx.profiles["localch"].upload_dir)
    assert uploaded.read_bytes() == recorded, "the database's bytes, not the changed copy"
    assert Path(batch.spool_path).read_bytes() == recorded


def test_a_batch_without_stored_bytes_and_a_changed_copy_fails(sqlite_store: Store, tmp_path: Path) -> None:
    ctx, batch = _one_spooled_batch(sqlite_store, tmp_path)
    with sqlite_store.session() as session:
        session.execute(delete(BatchContentRow))  # as a batch recorded before contents were kept
    Path(batch.spool_path).write_bytes(Path(batch.spool_path).read_bytes().replace(b"CLM*D", b"CLM*X"))
    cycles.outbound_cycle(ctx)
    [failed] = _batches(sqlite_store)
    assert failed.status == "failed"
    assert failed.status_reason == f"spool file {batch.spool_path} is not the batch's bytes (sha256 differs)"
    assert _uploaded(ctx.profiles["localch"].upload_dir) == []


def test_a_second_daemon_on_the_same_sqlite_database_refuses_to_start(
    sqlite_store: Store, tmp_path: Path
) -> None:
    from gateway.errors import StoreError

    profile = local_profile(tmp_path)
    first = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    first.start()
    second = make_daemon(sqlite_store, tmp_path, {profile.name: profile}, actor="daemon:second")
    with pytest.raises(
        StoreError, match="another daemon uses this SQLite database; several daemons need PostgreSQL"
    ):
        second.start()
    first.close()
    second.start()  # the first one is gone: the lock is free again
    second.close()


def test_a_correction_of_a_claim_in_an_unsent_batch_is_held_and_corrections_after_sending_rebuild(
    sqlite_store: Store, tmp_path: Path
) -> None:
    ctx, batch = _one_spooled_batch(sqlite_store, tmp_path)
    corrected = make_claims(4)[1]
    corrected["service_lines"][0]["charge"] = "999.00"
    corrected["frequency_code"] = "1"
    write_pending(tmp_path / "outbound", [corrected])
    cycles.intake_cycle(ctx)
    with sqlite_store.session() as session:
        versions = session.scalars(
            select(ClaimRow).where(ClaimRow.patient_control_number == "D0000001").order_by(ClaimRow.id)
        ).all()
        assert [v.status for v in versions] == ["built", "held"]
        assert "batch that has not been sent yet" in (versions[1].status_reason or "")

    cycles.outbound_cycle(ctx)  # the batch leaves with the first version only
    assert sorted(pcns_in(_uploaded(ctx.profiles["localch"].upload_dir))) == [f"D{n:07d}" for n in range(4)]
    operator_ops.release(sqlite_store, "D0000001", "operator:ann", "the corrected charge replaces it")
    mode, requeued = operator_ops.replay(sqlite_store, batch.id, "operator:ann", "D0000001 was corrected")
    assert (mode.value, requeued) == ("rebuild", 3), (
        "corrected claims are rebuilt, never re-sent as they were"
    )
    cycles.intake_cycle(ctx)  # the released correction never passed the rules: it does now
    cycles.outbound_cycle(ctx)
    old, new = _batches(sqlite_store)
    assert (old.status, new.status, new.claim_count) == ("replaced", "sent", 4)
    newest = Path(new.spool_path).read_bytes()
    assert b"*999*UN*" in newest, "the corrected line charge went out"


def test_a_file_of_a_held_correction_and_a_new_claim_stores_each_with_its_own_status_lines_and_event(
    any_store: Store, tmp_path: Path
) -> None:
    """One file's rows go in as one statement per table: a correction held for the unsent batch
    and a new claim beside it each keep their own status, hold, lines and event."""
    ctx, _ = _one_spooled_batch(any_store, tmp_path)
    corrected = make_claims(4)[1]
    corrected["service_lines"][0]["charge"] = "999.00"
    [new] = make_claims(1, "N")
    write_pending(tmp_path / "outbound", [corrected, new])
    report = cycles.CycleReport("intake")
    take_pending_files(ctx, report)  # without the screening: the rows as intake stored them
    assert report.counts == {"claims_received": 2, "files_taken": 1}
    with any_store.session() as session:
        held, fresh = session.scalars(
            select(ClaimRow).where(ClaimRow.patient_control_number.in_(["D0000001", "N0000000"]))
            .where(ClaimRow.status != "built").order_by(ClaimRow.id)
        ).all()  # fmt: skip
        assert (held.patient_control_number, held.status, held.hold_kind) == (
            "D0000001",
            "held",
            "unsent_batch",
        )
        assert "batch that has not been sent yet" in (held.status_reason or "")
        assert (fresh.patient_control_number, fresh.status) == ("N0000000", "received")
        assert (fresh.status_reason, fresh.hold_kind, fresh.rule_pack_version) == (None, None, None)
        assert held.created_at == held.updated_at == fresh.created_at == fresh.updated_at
        assert held.lines[0].charge == Decimal("999.00")
        assert [(line.line_number, line.procedure_code) for line in fresh.lines] == [
            (n, line["procedure_code"]) for n, line in enumerate(new["service_lines"], start=1)
        ]
        events = session.execute(
            select(EventRow.claim_id, EventRow.kind, EventRow.status, EventRow.detail, EventRow.actor)
            .where(EventRow.claim_id.in_([held.id, fresh.id])).order_by(EventRow.id)
        ).all()  # fmt: skip
    name = "claims_0000000.json"
    unsent = {"file": name, "hold": "unsent_batch", "reason": held.status_reason}
    assert [tuple(event) for event in events] == [
        (fresh.id, "claim.received", "received", json.dumps({"file": name}), "daemon:test"),
        (held.id, "claim.held", "held", json.dumps(unsent), "daemon:test"),
    ]


def test_a_kill_after_recording_a_response_before_acknowledging_it_records_it_once(
    sqlite_store: Store, tmp_path: Path
) -> None:
    from gateway.pipeline.inbound import ingest_file

    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(2))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    daemon.run_until_idle()
    [batch] = _batches(sqlite_store)
    (Path(profile.response_dir) / "ack.999").write_bytes(_ack_999(batch, sqlite_store, "A"))
    transport = daemon.ctx.transport(profile.name)
    [remote] = transport.list_responses()
    landed = transport.fetch(remote, tmp_path / "inbound")
    ingest_file(
        sqlite_store, landed.local_path, tmp_path / "inbound" / "quarantine"
    )  # ... killed before ack()

    report = cycles.poll_cycle(daemon.ctx)
    assert report.counts.get("responses_duplicate") == 1 and "responses_recorded" not in report.counts
    assert list(Path(profile.response_dir).iterdir()) == []
    with sqlite_store.session() as session:
        inbound = session.scalars(select(X12FileRow).where(X12FileRow.direction == "inbound")).all()
        acks = session.scalars(select(EventRow).where(EventRow.kind.like("%999%"))).all()
    assert len(inbound) == 1 and len(acks) == 2, "one 999 file, one event per claim, despite two fetches"


def test_a_claim_that_fails_the_gate_is_held_and_the_others_go_out(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.pipeline import outbound
    from gateway.x12.gate import GateIssue

    real_gate = outbound.gate_issues

    def gate_rejecting_d1(text: str) -> list[GateIssue]:
        issues = real_gate(text)
        if "CLM*D0000001*" in text:
            issues.append(GateIssue("error", "CLM", "made-up pyx12 complaint"))
        return issues

    monkeypatch.setattr(outbound, "gate_issues", gate_rejecting_d1)
    monkeypatch.setattr(cycles, "gate_issues", gate_rejecting_d1)
    profile = local_profile(tmp_path)
    write_pending(tmp_path / "outbound", make_claims(3))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    daemon.intake()
    first = daemon.outbound()
    assert first.counts.get("claims_held") == 1 and "failed the gate" in first.errors[0]
    assert _uploaded(profile.upload_dir) == [] and _batches(sqlite_store) == []
    daemon.outbound()
    assert sorted(pcns_in(_uploaded(profile.upload_dir))) == ["D0000000", "D0000002"]
    with sqlite_store.session() as session:
        held = session.scalar(select(ClaimRow).where(ClaimRow.patient_control_number == "D0000001"))
        assert (
            held is not None
            and held.status == "held"
            and "made-up pyx12 complaint" in (held.status_reason or "")
        )


def test_routing_must_be_unambiguous(sqlite_store: Store, tmp_path: Path) -> None:
    from gateway.errors import ConfigError

    one, two = local_profile(tmp_path, "one"), local_profile(tmp_path, "two")
    with pytest.raises(ConfigError, match="one, two list no payers: only one may take every other payer"):
        make_daemon(sqlite_store, tmp_path, {"one": one, "two": two})
    one, two = (
        local_profile(tmp_path, "one", payers=["P1"]),
        local_profile(tmp_path, "two", payers=["P2", "P1"]),
    )
    with pytest.raises(ConfigError, match=r"clearinghouses.two.payers: P1 is already routed to one"):
        make_daemon(sqlite_store, tmp_path, {"one": one, "two": two})
