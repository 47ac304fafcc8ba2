"""#14 item 1 on the demo: its 835 re-sent with a new ISA13/GS06 changes no denial and no amount."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from gateway.x12.reader import read_segments


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    assert done.value.code == 0, captured.err
    return captured.out


def with_new_control_numbers(text: str, isa13: str, gs06: str) -> str:
    """The same interchange with ISA13/IEA02 and GS06/GE02 replaced (what a re-sent ERA looks like)."""
    segments = list(read_segments(text.encode()))
    delimiters = segments[0].delimiters
    out = []
    for segment in segments:
        elements = list(segment.elements)
        if elements[0] == "ISA":
            elements[13] = isa13
        elif elements[0] == "IEA":
            elements[2] = isa13
        elif elements[0] == "GS":
            elements[6] = gs06
        elif elements[0] == "GE":
            elements[2] = gs06
        out.append(delimiters.element.join(elements))
    return delimiters.segment.join(out) + delimiters.segment


def test_the_demo_835_resent_leaves_denials_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "demo"
    run(capsys, "demo", "--dir", str(home))
    monkeypatch.setenv("GATEWAY_HOME", str(home))
    remits = sorted(p for p in (home / "inbound").iterdir() if p.is_file() and ".835" in p.name)
    assert remits, "the demo received no 835"
    denials_before = json.loads(run(capsys, "denials", "--json"))
    assert denials_before  # the demo has denials (CO-50 on TPI2026082409)

    original = remits[0]
    text = original.read_text()
    pcn = next(s[1] for s in read_segments(text.encode()) if s.id == "CLP")
    before = json.loads(run(capsys, "claims", "show", pcn, "--json"))
    kinds_before = [(e["kind"], e["status"]) for e in before["events"]]
    statuses_before = [c["status"] for c in before["claims"]]
    assert ("835", "paid") in kinds_before or ("835", "denied") in kinds_before
    resent = tmp_path / "resent.835"
    resent.write_text(with_new_control_numbers(text, "987654321", "98765"))
    isa13 = [next(read_segments(p.read_bytes()))[13] for p in (original, resent)]
    assert isa13[0] != isa13[1] == "987654321"
    out = run(capsys, "ingest", str(resent))
    payments = sum(1 for s in read_segments(text.encode()) if s.id == "CLP")
    assert out.endswith(
        f"{payments + 1} events (0 for known claims, 0 unmatched), {payments} payments already recorded (re-sent)\n"
    )

    assert json.loads(run(capsys, "denials", "--json")) == denials_before
    shown = json.loads(run(capsys, "claims", "show", pcn, "--json"))
    kinds = [(e["kind"], e["status"]) for e in shown["events"]]
    assert kinds == [*kinds_before, ("835.duplicate", "duplicate")]
    assert [c["status"] for c in shown["claims"]] == statuses_before
