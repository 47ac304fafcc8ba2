"""`gateway demo`: the whole cycle in one command, on SQLite and local folders, in under a minute.

What it does, in a folder of its own (``--dir``, default ``$GATEWAY_HOME/demo``, wiped first
when it is a demo folder from an earlier run):

1. copies ``examples/claims/*.json`` into ``outbound/pending`` (the daemon's watched folder);
2. runs the daemon's cycles (intake -> rules -> build -> gate -> send; poll -> ledger) against a
   local clearinghouse folder pair served by the clearinghouse simulator (``gateway.simulator``,
   demo policy), one round at a time, printing one progress line per round;
3. plays the clinic's part for a claim the payer rules hold for prior authorization only: a
   278 request is built from the claim and sent, the simulator's 278 response is applied to the
   authorization records, and the claim is resubmitted, now with the number in REF*G1;
4. plays the billing office's part after the 835 (``examples/after_835``): a claim denied for
   its diagnosis is corrected from its ``*.corrected.json`` and sent as a replacement (frequency
   7, REF*F8 from the 835); the claim of a patient with a Medicare supplement is billed to the
   supplement by the daemon itself once Medicare's 835 is in (gateway.pipeline.secondary);
5. stops when a round changes nothing, and prints one row per claim: rule findings, file,
   999, 277CA and every 835 (payer, paid or denied, with the adjustment reasons), from the ledger.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from gateway.daemon.config import DaemonConfig
from gateway.daemon.lifecycle import Daemon
from gateway.domain.claim import Claim
from gateway.errors import ConfigError
from gateway.intake import parse_claims
from gateway.pipeline import corrections
from gateway.pipeline.auth_requests import build_278_file, requests_needed
from gateway.pipeline.cycles import CycleReport, partners_for
from gateway.rules import RuleBook, load_rule_book
from gateway.settings import REPO_ROOT, Settings
from gateway.simulator.engine import CycleReport as SimulatorReport
from gateway.simulator.engine import Simulator
from gateway.simulator.folders import folder_pair, mirrored_local
from gateway.simulator.policy import DEFAULT_POLICY
from gateway.store import operator_ops
from gateway.store.auths import auth_outcome
from gateway.store.db import Store
from gateway.store.ledger_read import Timeline, timeline
from gateway.transport import ClearinghouseProfile, render_file_name
from gateway.transport.profiles import Connection, Identity

MARKER = ".gateway-demo"
CLEARINGHOUSE = "demo"
# Who the demo clinic is to the simulated clearinghouse (a real one's come from its enrollment).
DEMO_IDENTITY = Identity(
    isa_sender_id="PAINCLINIC", isa_receiver_id="CLEARINGHOUSE",
    gs_sender_code="PAINCLINIC", gs_receiver_code="CLEARINGHOUSE",
    submitter_id="PAINCLINIC", submitter_name="DEMO PAIN CLINIC BILLING", contact_name="DEMO EDI DESK",
    contact_phone="5035550100", receiver_name="DEMO CLEARINGHOUSE", receiver_id="CLEARINGHOUSE",
)  # fmt: skip
_PROGRESS_KEYS = ("claims_received", "claims_queued", "claims_held", "batches_built", "batches_sent",
                  "responses_recorded", "batches_moved", "secondary_claims_queued")  # fmt: skip
AFTER_835 = REPO_ROOT / "examples" / "after_835"
CORRECTED = ".corrected.json"


def prepare_folder(home: Path) -> None:
    """A fresh demo folder; an existing folder is only wiped when an earlier demo made it."""
    if home.exists():
        if not (home / MARKER).exists() and any(home.iterdir()):
            raise ConfigError(f"{home}: exists and is not a demo folder; choose another --dir")
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / MARKER).write_text("made by gateway demo; deleted by the next run\n")


@dataclass
class _Run:
    home: Path
    store: Store
    book: RuleBook
    daemon: Daemon
    simulator: Simulator
    profile: ClearinghouseProfile
    claims: dict[str, Claim]
    auth_requests: dict[str, str] = field(default_factory=dict)  # request id -> PCN
    certified: dict[str, str] = field(default_factory=dict)  # PCN -> certification number
    reported: set[str] = field(default_factory=set)  # claims whose auth decision was reported
    corrections: dict[str, Path] = field(default_factory=dict)  # PCN -> its corrected claim file
    corrected: set[str] = field(default_factory=set)

    # -- after the 835, the billing office's part -----------------------------------------------

    def correct_denials(self) -> list[str]:
        """Send the corrected claim of each denied claim that has one (gateway claims correct)."""
        notes = []
        for pcn, path in self.corrections.items():
            history = timeline(self.store, pcn)
            if pcn in self.corrected or not history.claims or history.claims[-1].status != "denied":
                continue
            done = corrections.correct(self.store, pcn, path, "principal diagnosis corrected", "demo")
            self.corrected.add(pcn)
            notes.append(f"claim {pcn} denied: replacement #{done.new_id} queued (frequency 7, REF*F8 "
                         f"{done.payer_claim_number} from the {done.number_source})")  # fmt: skip
        return notes

    # -- prior authorization, the clinic's part -------------------------------------------------

    def request_auths(self) -> list[str]:
        """Build and send a 278 for each held claim that needs one (gateway.pipeline.auth_requests)."""
        sent = []
        for pcn, request in requests_needed(self.store, self.book):
            when = dt.datetime.now()
            path = self.home / "outbound" / "auths" / f"{request.request_id}.278.x12"
            built = build_278_file([request], partners_for(self.profile), self.store, path, when)
            name = render_file_name(self.profile, built.control.interchange, when)
            self.daemon.ctx.transport(CLEARINGHOUSE).send(path, name)
            self.auth_requests[request.request_id] = pcn
            codes = sorted({service.procedure_code for service in request.services})
            sent.append(f"278 request {request.request_id} sent for held claim {pcn} ({', '.join(codes)})")
        return sent

    def report_auth_responses(self) -> list[str]:
        """What the daemon's poll did with the 278 responses: the decision on each of our
        requests and the held claims it sent back to screening (gateway.store.auths)."""
        notes = []
        for request_id, pcn in self.auth_requests.items():
            outcome = auth_outcome(self.store, request_id)
            if pcn in self.reported or outcome is None or outcome.status in ("requested", "pended"):
                continue
            self.reported.add(pcn)
            number = outcome.certification_number
            notes.append(f"278 response for {pcn}: {outcome.status}" + (f" ({number})" if number else ""))
            if number and pcn in outcome.requeued_claims:
                self.certified[pcn] = number
                notes.append(f"claim {pcn} back to screening: authorization {number} is on file")
        return notes

    # -- rounds ---------------------------------------------------------------------------------

    def round(self, number: int) -> tuple[bool, list[str]]:
        intake = self.daemon.intake()
        auths = self.request_auths()
        outbound = self.daemon.outbound()
        simulator = self.simulator.run_cycle()
        poll = self.daemon.poll() or CycleReport("poll")  # None only in quiet hours (none here)
        notes = auths + self.report_auth_responses() + self.correct_denials()
        if poll.counts.get("secondary_claims_queued"):
            notes.append(f"{poll.counts['secondary_claims_queued']} secondary claim(s) queued from the 835s")
        reports = [intake, outbound, poll]
        moved = any(report.counts.get(key) for report in reports for key in _PROGRESS_KEYS)
        progressed = moved or not simulator.idle or bool(notes)
        line = f"round {number}: " + _progress(intake, outbound, simulator, poll)
        errors = [f"  error: {error}" for report in reports for error in report.errors]
        return progressed, [line, *(f"  {note}" for note in notes), *errors]


def _last(history: Timeline, kind: str) -> dict[str, Any] | None:
    found = [event.detail for event in history.events if event.kind == kind]
    return found[-1] if found else None


def _progress(
    intake: CycleReport, outbound: CycleReport, simulator: SimulatorReport, poll: CycleReport
) -> str:
    parts = []
    c = intake.counts
    if c.get("claims_received"):
        parts.append(f"{c['claims_received']} claim(s) in")
    if c.get("claims_queued") or c.get("claims_held"):
        parts.append(f"rules: {c.get('claims_queued', 0)} queued, {c.get('claims_held', 0)} held")
    if outbound.counts.get("batches_sent"):
        parts.append(f"837P sent ({outbound.counts.get('claims_batched', 0)} claim(s))")
    if not simulator.idle:
        parts.append(f"clearinghouse answered {len(simulator.sent)} file(s)")
    if poll.counts.get("responses_recorded"):
        parts.append(f"{poll.counts['responses_recorded']} response(s) into the ledger")
    return "; ".join(parts) or "nothing new"


def _money(text: str) -> str:
    return f"{float(text):,.2f}"


def _row(pcn: str, history: Timeline, certified: str | None) -> list[str]:
    held = _last(history, "claim.held")
    status = history.claims[-1].status if history.claims else "?"
    rules = "clean"
    if certified:
        rules = f"prior auth {certified}"
    elif held and status == "held":
        rules = "held: " + ", ".join(sorted(set(held.get("rules", [])) | set(held.get("auth", [])))) or "held"
    sent = _last(history, "claim.sent")
    file = f"ISA13 {sent['isa13']}" if sent else "-"
    ack = _last(history, "999")
    status_277 = _last(history, "277CA")
    stc = status_277["statuses"][0] if status_277 and status_277.get("statuses") else None
    return [
        pcn,
        rules,
        file,
        ack["ack_code"] if ack else "-",
        f"{stc['category']}:{stc['code']}" if stc else "-",
        _remits([event.detail for event in history.events if event.kind == "835"]),
        status,
    ]


def _remits(details: list[dict[str, Any]]) -> str:
    """Every 835 of the claim in order; the payer named when more than one answered."""
    if len({d.get("payer_id") for d in details}) <= 1 and len(details) <= 1:
        return _remit(details[0] if details else None)
    return "; then ".join(f"{d.get('payer_name') or d.get('payer_id')}: {_remit(d)}" for d in details)


def _remit(detail: dict[str, Any] | None) -> str:
    if detail is None:
        return "-"
    adjustments = list(detail.get("adjustments", []))
    for line in detail.get("service_lines", []):
        adjustments += line.get("adjustments", [])
    totals: dict[str, float] = {}
    for a in adjustments:
        key = f"{a['group']}-{a['reason']}"
        totals[key] = totals.get(key, 0.0) + float(a["amount"])
    reasons = ", ".join(f"{key} {amount:,.2f}" for key, amount in sorted(totals.items()))
    verb = "denied" if detail.get("status_code") == "4" else f"paid {_money(detail['paid'])}"
    return f"{verb} ({reasons})" if reasons else verb


def final_table(run: _Run) -> Table:
    table = Table(title="gateway demo: every claim, from the ledger", show_lines=False)
    for column in ("claim", "rules", "file", "999", "277CA", "835", "status"):
        table.add_column(column, overflow="fold")
    for pcn in run.claims:
        table.add_row(*_row(pcn, timeline(run.store, pcn), run.certified.get(pcn)))
    return table


def held_reasons(run: _Run, width: int = 160) -> list[str]:
    """The first reason of each claim still held, cut to ``width``: the rule, its source, the fix."""
    lines = []
    for pcn, reason in operator_ops.hold_reasons(run.store, list(run.claims)).items():
        first = reason.splitlines()[0]
        lines.append(f"  {pcn}: {first if len(first) <= width else first[: width - 3] + '...'}")
    return lines


def _example_claims(folder: Path, pending: Path) -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    pending.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(CORRECTED):
            continue  # sent by the demo as a replacement once the original is denied
        shutil.copyfile(path, pending / path.name)
        for claim in parse_claims(json.loads(path.read_text()), str(path)):
            claims[claim.patient_control_number] = claim
    return claims


@click.command("demo")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo works (default: $GATEWAY_HOME/demo); wiped first.")  # fmt: skip
@click.option("--max-rounds", type=click.IntRange(min=1), default=12, show_default=True)
@click.option(
    "--web", is_flag=True, help="Then keep the operator console up on the demo's data (Ctrl-C stops it)."
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8640, show_default=True, help="The console's port."
)
@click.pass_obj
def demo(settings: Settings, folder: Path | None, max_rounds: int, web: bool, port: int) -> None:
    """Run claims through rules, the daemon and a simulated clearinghouse; print the outcome."""
    started = time.monotonic()
    home = (folder or settings.home / "demo").resolve()
    prepare_folder(home)
    upload, response = folder_pair(home / "clearinghouse")
    profile = ClearinghouseProfile(
        name=CLEARINGHOUSE,
        connection=Connection(transport="local", upload_dir=str(upload), response_dir=str(response)),
        identity=DEMO_IDENTITY,
    )
    store = Store.open(f"sqlite:///{home / 'gateway.db'}")
    book = load_rule_book(settings.payer_configs)
    daemon = Daemon(store, DaemonConfig(), {CLEARINGHOUSE: profile}, book, home / "outbound", home / "inbound",
                    actor="demo")  # fmt: skip
    simulator = Simulator(mirrored_local("simulator", upload, response), home / "simulator", DEFAULT_POLICY)
    claims = _example_claims(REPO_ROOT / "examples" / "claims", home / "outbound" / "pending")
    stories = _example_claims(AFTER_835, home / "outbound" / "pending")
    click.echo(f"gateway demo in {home}: {len(claims)} example claims and {len(stories)} after-the-835 stories, "
               "SQLite, local clearinghouse folders")  # fmt: skip
    run = _Run(home, store, book, daemon, simulator, profile, {**claims, **stories})
    for path in sorted(AFTER_835.glob(f"*{CORRECTED}")):
        for claim in parse_claims(json.loads(path.read_text()), str(path)):
            run.corrections[claim.patient_control_number] = path
    daemon.start()
    try:
        for number in range(1, max_rounds + 1):
            progressed, lines = run.round(number)
            for line in lines:
                click.echo(line)
            if not progressed:
                break
        else:
            click.echo(f"stopped after {max_rounds} rounds; the ledger may not be settled yet", err=True)
        console = Console()
        if not console.is_terminal:  # a pipe or a log: wide enough for the table, never folded
            console = Console(width=240)
        console.print(final_table(run))
        reasons = held_reasons(run)
        if reasons:
            click.echo("why the held claims are held (first reason; all of them: gateway claims show PCN):")
            for line in reasons:
                click.echo(line)
    finally:
        daemon.close()
        store.close()
    click.echo(
        f"settled in {time.monotonic() - started:.1f} s; look closer: GATEWAY_HOME={home} gateway claims show PCN"
    )
    if web:
        from gateway.web.server import serve_demo  # starlette/uvicorn only for --web

        serve_demo(f"sqlite:///{home / 'gateway.db'}", settings, home, port, click.echo)
