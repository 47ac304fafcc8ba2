"""Uploads for the simulator tests (built from the examples) and a folder-pair harness."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from gateway.domain.claim import Claim
from gateway.intake import load_auth_requests, parse_claims
from gateway.simulator.engine import CycleReport, Simulator
from gateway.simulator.folders import folder_pair, mirrored_local
from gateway.simulator.policy import DEFAULT_POLICY, SimulatorPolicy
from gateway.x12.build_278 import build_278
from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.pyx12_maps import map_path_for
from tests.conftest import REPO
from tests.foundation.helpers import SUBMITTER

EXAMPLES = REPO / "examples"
WHEN = dt.datetime(2026, 11, 28, 9, 30)
LATER = dt.datetime(2026, 11, 28, 10, 0)


def example_claims(*names: str) -> list[Claim]:
    """Claims of ``examples/claims/NAME.json`` (all files when no name is given)."""
    paths = [EXAMPLES / "claims" / f"{n}.json" for n in names] or sorted((EXAMPLES / "claims").glob("*.json"))
    claims: list[Claim] = []
    for path in paths:
        claims.extend(parse_claims(json.loads(path.read_text()), str(path)))
    return claims


def claim_file(claims: Sequence[Claim], control: int, ack_requested: bool = False) -> str:
    partners = TradingPartners(
        "PAINCLINIC", "CLEARINGHOUSE", identity=SUBMITTER, acknowledgment_requested=ack_requested
    )
    return build_837p(claims, partners, ControlNumbers(control, control, 1), WHEN).text


def auth_file(control: int, *names: str) -> str:
    paths = [EXAMPLES / "auths" / f"{n}.json" for n in names] or sorted((EXAMPLES / "auths").glob("*.json"))
    requests = [request for path in paths for request in load_auth_requests(path)]
    return build_278(requests, TradingPartners("PAINCLINIC", "CLEARINGHOUSE"), ControlNumbers(control, control, 1),
                     WHEN).text  # fmt: skip


def pyx12_verdict(text: str) -> tuple[bool, str]:
    """pyx12's own entry point (not our gate): valid?, and its error document for the message."""
    errors = io.StringIO()
    map_path = map_path_for(text)
    try:
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), io.StringIO(), None, None, fd_json=errors,
            map_path=str(map_path) if map_path else None,
        )  # fmt: skip
    except pyx12.errors.EngineError as error:
        return False, str(error)
    return bool(ok), errors.getvalue()


@dataclass
class Harness:
    """A local folder pair served by the simulator with a fixed clock."""

    root: Path
    policy: SimulatorPolicy = DEFAULT_POLICY
    reports: list[CycleReport] = field(default_factory=list)

    @property
    def upload(self) -> Path:
        return folder_pair(self.root)[0]

    @property
    def responses(self) -> Path:
        return folder_pair(self.root)[1]

    def simulator(self) -> Simulator:
        transport = mirrored_local("sim", self.upload, self.responses)
        return Simulator(transport, self.root / "work", self.policy, clock=lambda: LATER)

    def put(self, name: str, text: str | bytes) -> None:
        self.upload.mkdir(parents=True, exist_ok=True)
        data = text.encode("ascii") if isinstance(text, str) else text
        (self.upload / name).write_bytes(data)

    def cycle(self) -> CycleReport:
        report = self.simulator().run_cycle()
        self.reports.append(report)
        return report

    def response(self, name: str) -> str:
        return (self.responses / name).read_text()

    def names(self) -> list[str]:
        return sorted(p.name for p in self.responses.iterdir()) if self.responses.exists() else []
