"""Operator console page loads on a large database (issue 17: under 200 ms with 100,000 claims).

Fills a fresh database with N claims (default 100,000) through the store's bulk intake path
(``take_intake_file``: claim rows, service lines, ``claim.received`` events), then, in SQL, gives
them a realistic mix of states (10% held across every hold kind, 60% sent, 15% paid, 5% denied,
10% queued), one 835 event per paid/denied claim (with CAS adjustments, for the Denials page)
and batches of 100 claims.  Each page is then requested through the real ASGI app (Starlette's
client: the full middleware, session, CSRF and template path, no network) by a logged-in
operator; the table gives the median and the slowest of the repeats, beside the same page on a
baseline database of 1,000 claims filled the same way in the same run.

Run: .venv/bin/python benchmarks/bench_web.py [--claims 100000] [--repeats 15] [--db-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import text
from starlette.testclient import TestClient

from benchmarks.example_claims import make_claims
from gateway.domain.accounts import Role
from gateway.domain.claim import Claim
from gateway.rules import load_rule_book
from gateway.settings import Settings
from gateway.store import console
from gateway.store.db import Store
from gateway.store.intake_ops import take_intake_file
from gateway.web import security
from gateway.web.app import Console, WebConfig, create_app

TARGET_MS = 200.0
CHUNK = 5000
HOLD_KINDS = ("rules", "auth", "gate", "routing", "operator", "unsent_batch")
REMIT = {
    "payer_name": "AETNA",
    "payer_id": "1999999999",
    "status_code": "1",
    "charge": "980",
    "paid": "291.2",
    "adjustments": [{"group": "PR", "reason": "1", "amount": "100"}],
    "service_lines": [
        {
            "procedure": "62321",
            "adjustments": [
                {"group": "CO", "reason": "45", "amount": "441"},
                {"group": "PR", "reason": "2", "amount": "107.8"},
            ],
        }
    ],
}
DENIED = {
    "payer_name": "NORIDIAN",
    "payer_id": "01112",
    "status_code": "4",
    "charge": "310",
    "paid": "0",
    "adjustments": [],
    "service_lines": [
        {"procedure": "20553", "adjustments": [{"group": "CO", "reason": "50", "amount": "310"}]}
    ],
}


def distinct_claims(count: int) -> list[Claim]:
    """Like ``make_claims`` (own PCN and member id each), copied from validated templates: 100,000
    validations would take minutes and measure pydantic, not the console."""
    templates = make_claims(30)
    return [
        template.model_copy(
            update={
                "patient_control_number": f"BENCH{n:08d}",
                "subscriber": template.subscriber.model_copy(update={"member_id": f"M{n:09d}"}),
            }
        )
        for n, template in ((n, templates[n % len(templates)]) for n in range(count))
    ]


def fill(store: Store, count: int) -> dict[str, float]:
    started = time.perf_counter()
    claims = distinct_claims(count)
    made = time.perf_counter()
    for start in range(0, count, CHUNK):
        chunk = claims[start : start + CHUNK]
        digest = hashlib.sha256(f"bench-web-{start}".encode()).hexdigest()
        take_intake_file(store, digest, f"bench_{start:07d}.json", chunk, "bench")
    stored = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as sql:
        # A realistic mix of states (this benchmark sets them in SQL: no rules, no gate, no upload).
        sql.execute(
            text(
                "UPDATE claims SET status = CASE id % 20 WHEN 0 THEN 'held' WHEN 1 THEN 'held' "
                "WHEN 2 THEN 'queued' WHEN 3 THEN 'queued' WHEN 4 THEN 'paid' WHEN 5 THEN 'paid' "
                "WHEN 6 THEN 'paid' WHEN 7 THEN 'denied' ELSE 'sent' END"
            )
        )
        for number, kind in enumerate(HOLD_KINDS):
            sql.execute(
                text(
                    "UPDATE claims SET hold_kind = :kind, status_reason = :reason "
                    "WHERE status = 'held' AND (id / 20) % :n = :number"
                ),
                {
                    "kind": kind,
                    "reason": f"held ({kind}) for the benchmark",
                    "n": len(HOLD_KINDS),
                    "number": number,
                },
            )
        rows = sql.execute(
            text(
                "SELECT id, patient_control_number, status FROM claims "
                "WHERE status IN ('paid', 'denied') ORDER BY id"
            )
        ).all()
        sql.execute(
            text(
                "INSERT INTO x12_files (direction, kind, path, sha256, size, sender_id, receiver_id, "
                "interchange_control_number, group_control_number, created_at) VALUES ('inbound', '835', "
                "'bench.835', :sha, 1, 'PAYER', 'CLINIC', '000000001', '1', :at)"
            ),
            {"sha": "0" * 64, "at": now},
        )
        remit_file = sql.execute(
            text("SELECT id FROM x12_files WHERE sha256 = :sha"), {"sha": "0" * 64}
        ).scalar()
        first_event = int(sql.execute(text("SELECT COALESCE(MAX(id), 0) FROM events")).scalar() or 0) + 1
        sql.execute(
            text(
                "INSERT INTO events (id, at, claim_id, file_id, kind, status, detail, actor) "
                "VALUES (:id, :at, :claim, :file, '835', :status, :detail, 'inbound')"
            ),
            [
                {
                    "id": first_event + n,
                    "at": now - dt.timedelta(days=n % 30),
                    "claim": claim_id,
                    "file": remit_file,
                    "status": status,
                    "detail": json.dumps(DENIED if status == "denied" else REMIT),
                }
                for n, (claim_id, _, status) in enumerate(rows)
            ],
        )
        sql.execute(
            text(
                "INSERT INTO ledger_claim_refs (event_id, patient_control_number, source, claim_id) "
                "VALUES (:event, :pcn, '835', :claim)"
            ),
            [
                {"event": first_event + n, "pcn": pcn, "claim": claim_id}
                for n, (claim_id, pcn, _) in enumerate(rows)
            ],
        )
        sent = [
            row[0]
            for row in sql.execute(
                text("SELECT id FROM claims WHERE status IN ('sent', 'paid', 'denied') ORDER BY id")
            ).all()
        ]
        for number, start in enumerate(range(0, len(sent), 100), start=1):
            sql.execute(
                text(
                    "INSERT INTO x12_files (direction, kind, path, sha256, size, sender_id, receiver_id, "
                    "interchange_control_number, group_control_number, created_at) VALUES ('outbound', "
                    "'837P', :path, :sha, 1, 'CLINIC', 'CH', :isa, :isa, :at)"
                ),
                {
                    "path": f"outbound/bench_{number}.x12",
                    "sha": f"{number:064d}",
                    "isa": f"{number:09d}",
                    "at": now,
                },
            )
            file_id = sql.execute(
                text("SELECT id FROM x12_files WHERE sha256 = :sha"), {"sha": f"{number:064d}"}
            ).scalar()
            status = "failed" if number % 50 == 1 else "accepted"
            sql.execute(
                text(
                    "INSERT INTO batches (clearinghouse, status, file_id, spool_path, remote_name, size, "
                    "sha256, interchange_control_number, claim_count, attempts, created_at, updated_at) "
                    "VALUES ('bench', :status, :file, 'x', :remote, 1, :sha, :isa, :n, 1, :at, :at)"
                ),
                {
                    "status": status,
                    "file": file_id,
                    "remote": f"bench_{number}.x12",
                    "sha": f"{number:064d}",
                    "isa": f"{number:09d}",
                    "n": len(sent[start : start + 100]),
                    "at": now,
                },
            )
            sql.execute(
                text(
                    "INSERT INTO file_claims (file_id, claim_id, transaction_control_number) "
                    "VALUES (:file, :claim, '0001')"
                ),
                [{"file": file_id, "claim": claim_id} for claim_id in sent[start : start + 100]],
            )
    filled = time.perf_counter()
    return {"make": made - started, "intake": stored - made, "mix": filled - stored}


def pages(store: Store) -> dict[str, str]:
    count = store_count(store)
    with store.engine.connect() as sql:
        held = sql.execute(
            text("SELECT id FROM claims WHERE status = 'held' ORDER BY id DESC LIMIT 1")
        ).scalar()
        paid = sql.execute(
            text("SELECT id FROM claims WHERE status = 'paid' ORDER BY id DESC LIMIT 1")
        ).scalar()
        failed = sql.execute(text("SELECT id FROM batches WHERE status = 'failed' LIMIT 1")).scalar()
        middle = sql.execute(
            text("SELECT id FROM claims ORDER BY id DESC LIMIT 1 OFFSET :n"), {"n": count // 2}
        ).scalar()
    return {
        "Today": "GET /",
        "Claims (first page)": "GET /claims",
        "Claims (filter: held, rules)": "POST /claims hold_kind=rules",
        "Claims (filter: PCN prefix)": "POST /claims pcn=BENCH0009",
        "Claims (next page, halfway)": f"POST /claims next={count // 2 // 50 + 1}:{middle}",
        "Claim (held)": f"GET /claims/{held}",
        "Claim (paid, in a batch)": f"GET /claims/{paid}",
        "Holds": "GET /holds",
        "Batches": "GET /batches",
        "Batch": f"GET /batches/{failed}",
        "Denials": "GET /denials",
        "Denials chart (CARC)": "GET /denials/carc.svg",
    }


def store_count(store: Store) -> int:
    with store.engine.connect() as sql:
        return int(sql.execute(text("SELECT count(*) FROM claims")).scalar() or 0)


def measure(store: Store, settings: Settings, repeats: int) -> dict[str, tuple[float, float]]:
    if console.find_user(store, "bench") is None:
        console.add_user(store, "bench", Role.OPERATOR, security.hash_password("bench password 1"))
    app = Console(store, load_rule_book(settings.payer_configs), b"b" * 32, WebConfig())
    figures: dict[str, tuple[float, float]] = {}
    with TestClient(create_app(app), follow_redirects=False) as client:
        form = client.get("/login").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"csrf": csrf, "name": "bench", "password": "bench password 1"})
        page = client.get("/").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        for name, request in pages(store).items():
            method, path, *body = request.split(" ")
            data = {"csrf": csrf} | dict(part.split("=", 1) for part in body)
            times = []
            for _ in range(repeats + 1):  # the first request warms caches (templates, rule book)
                started = time.perf_counter()
                answer = client.get(path) if method == "GET" else client.post(path, data=data)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, f"{request}: {answer.status_code}"
            figures[name] = (statistics.median(times[1:]), max(times[1:]))
    return figures


def run(
    url: str | None, folder: Path, count: int, repeats: int
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Fill (unless ``folder`` holds a database from an earlier run of the same size) and measure."""
    settings = Settings.from_env({"GATEWAY_HOME": str(folder)})
    marker = folder / f"filled-{count}"
    with Store.open(url or f"sqlite:///{folder / 'gateway.db'}") as store:
        filled = {"make": 0.0, "intake": 0.0, "mix": 0.0}
        if not marker.exists():
            filled = fill(store, count)
            marker.write_text("filled by bench_web.py\n")
        return filled, measure(store, settings, repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--db-url", help="an empty database to fill (default: a new SQLite file)")
    parser.add_argument(
        "--keep", type=Path, help="keep the SQLite databases in this folder and reuse them next time"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        (root / "small").mkdir(parents=True, exist_ok=True)
        (root / "large").mkdir(parents=True, exist_ok=True)
        _, base = run(None, root / "small", args.baseline, args.repeats)
        filled, big = run(args.db_url, root / "large", args.claims, args.repeats)
    print(
        f"filled {args.claims:,} claims: claim objects {filled['make']:.1f} s, bulk intake {filled['intake']:.1f} s, "
        f"states/835s/batches {filled['mix']:.1f} s ({'SQLite' if not args.db_url else args.db_url.split(':')[0]})"
    )
    print(
        f"{'page':<30} {f'{args.baseline:,} claims':>16} {f'{args.claims:,} claims':>18} {'slowest':>9}  target"
    )
    over = 0
    for name, (median, slowest) in big.items():
        base_median = base[name][0]
        verdict = "ok" if median < TARGET_MS else "OVER"
        over += median >= TARGET_MS
        print(
            f"{name:<30} {base_median:>13.1f} ms {median:>15.1f} ms {slowest:>6.0f} ms  < {TARGET_MS:.0f} ms {verdict}"
        )
    print(f"medians of {args.repeats} requests each, in process (no network); {over} page(s) over the target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
