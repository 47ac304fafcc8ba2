"""The daemon end to end: claims dropped in outbound/pending until the 837P is on a real SFTP server.

Two rows on the same claims, each in its own forked process (so peak RSS is per row):

* daemon: ``gateway run --once`` work (intake + rules, one batch per clearinghouse cycle, pyx12
  gate, spool, batch bookkeeping, upload over loopback SFTP to a real OpenSSH sshd);
* baseline: the library path without the daemon (``build_837p_file``: screen, build, gate, write,
  record) plus one ``send`` on the same transport.

``--kills N`` adds the kill -9 run at a larger scale than the test suite: N random SIGKILLs of
forked daemons, then the server's files and the ledger are counted.

Run: .venv/bin/python benchmarks/bench_daemon.py [--claims 10000] [--batch 10000] [--kills 0]
(needs sshd and the sftptest user as root: bash .ci/services.sh)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gateway.daemon.jsonlog import configure
from gateway.intake import parse_claims
from gateway.pipeline import cycles
from gateway.pipeline.outbound import build_837p_file
from gateway.rules import load_rule_book
from gateway.store.db import Store
from gateway.transport import open_transport
from gateway.x12.gate_pool import GatePool, shared_pool, usable_cores
from tests.daemon.forked import fork_daemon, kill_after, wait_ok
from tests.daemon.helpers import make_claims, make_daemon, pcns_in, write_pending
from tests.transport.sshd_peer import SshdPeer
from tests.transport.transport_helpers import make_profile


def in_child(work) -> tuple[dict[str, float], float]:  # type: ignore[no-untyped-def]
    """Run ``work()`` (returns a dict of figures) in a fork; return its figures and peak RSS in MB."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 1
        try:
            figures = work()
            os.write(write, json.dumps(figures).encode())
            code = 0
        except BaseException:  # noqa: BLE001 - the child must say why before it exits
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        data = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark child failed ({status})")
    return json.loads(data), usage.ru_maxrss / 1024


def worker_usage(pool: GatePool) -> tuple[float, float]:
    """CPU seconds (all workers) and the largest peak RSS (MB) of the gate pool's worker processes."""
    executor = pool._executor
    cpu, peak = 0.0, 0.0
    for pid in getattr(executor, "_processes", {}) or {}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            status = Path(f"/proc/{pid}/status").read_text()
            peak = max(peak, int(status.split("VmHWM:")[1].split()[0]) / 1024)
        except (OSError, IndexError, ValueError):
            continue
    return cpu, peak


def _write_claims(home: Path, count: int) -> dict[str, float]:
    write_pending(home / "outbound", make_claims(count, "B"), per_file=500)
    return {}


def daemon_row(peer: SshdPeer, root: Path, count: int, batch: int) -> tuple[dict[str, float], float]:
    home = root / "daemon"
    profile = make_profile(peer, "bench-daemon")
    in_child(lambda: _write_claims(home, count))  # the claims never live in this (forking) parent
    upload_dir = peer.server_path(profile.upload_dir)

    def work() -> dict[str, float]:
        pool = shared_pool()
        pool.warm()  # as in `gateway run`, which starts its gate workers when it starts
        store = Store.open(f"sqlite:///{home / 'gateway.db'}")
        daemon = make_daemon(store, home, {profile.name: profile}, max_claims_per_batch=batch)
        started, started_cpu = time.perf_counter(), time.process_time()
        intake = cycles.intake_cycle(daemon.ctx)
        intake_cpu = time.process_time() - started_cpu
        build_seconds, gate_ms = 0.0, 0
        while True:  # build, gate, spool and record every batch ...
            report = cycles.outbound_cycle(daemon.ctx, send=False)
            build_seconds += report.seconds
            gate_ms += report.counts.get("gate_ms", 0)
            if not report.counts.get("batches_built"):
                break
        build_cpu = time.process_time() - started_cpu - intake_cpu
        upload = cycles.outbound_cycle(daemon.ctx)  # ... then upload them
        total = time.perf_counter() - started
        cpu = time.process_time() - started_cpu
        worker_cpu, worker_mb = worker_usage(pool)
        daemon.close()
        # The child leaves by os._exit (no atexit): without this its fork server and workers
        # outlive the run, holding the bench's stdout open (a pipe after it never ends).
        pool.close()
        sent = pcns_in(sorted(upload_dir.iterdir()))
        assert len(sent) == len(set(sent)) == count, f"{len(sent)} claims on the server"
        return {
            "total": total,
            "intake": intake.seconds,
            "outbound": build_seconds,
            "gate": gate_ms / 1000,
            "upload": upload.seconds,
            "cpu": cpu,
            "intake_cpu": intake_cpu,
            "build_cpu": build_cpu,
            "worker_cpu": worker_cpu,
            "worker_mb": worker_mb,
        }

    return in_child(work)


def baseline_row(peer: SshdPeer, root: Path, count: int) -> tuple[dict[str, float], float]:
    home = root / "baseline"
    home.mkdir()
    profile = make_profile(peer, "bench-baseline")

    def work() -> dict[str, float]:
        document = {"claims": make_claims(count, "B")}
        store = Store.open(f"sqlite:///{home / 'gateway.db'}")
        started = time.perf_counter()
        claims = parse_claims(document, "bench")
        out = home / "out.x12"
        outcome = build_837p_file(
            claims, _partners(profile), store, out, book=load_rule_book(REPO / "payer_configs")
        )
        transport = open_transport(profile)
        transport.send(out, "baseline.x12")
        transport.close()
        total = time.perf_counter() - started
        return {
            "total": total, "intake": 0.0, "outbound": total, "gate": outcome.gate_seconds, "upload": 0.0,
            "cpu": time.process_time(), "intake_cpu": 0.0, "build_cpu": time.process_time(),
            "worker_cpu": 0.0, "worker_mb": 0.0,
        }  # fmt: skip

    return in_child(work)


def _partners(profile):  # type: ignore[no-untyped-def]
    return cycles.partners_for(profile)


def kill_run(peer: SshdPeer, root: Path, count: int, kills: int) -> str:
    home = root / "kills"
    profile = make_profile(peer, "bench-kills")
    url = f"sqlite:///{home / 'gateway.db'}"
    home.mkdir()
    Store.open(url).close()
    claims = make_claims(count, "K")
    write_pending(home / "outbound", claims, per_file=20)
    rng = random.Random(7)
    done = runs = 0
    config = {"max_claims_per_batch": 10, "screen_chunk": 50}
    started = time.perf_counter()
    while done < kills:
        runs += 1
        if kill_after(
            fork_daemon(url, home, {profile.name: profile}, f"daemon:{runs}", **config),
            rng.uniform(0.02, 0.6),
        ):
            done += 1
        else:
            break  # all work finished before the kills ran out
    wait_ok(fork_daemon(url, home, {profile.name: profile}, "daemon:final", **config))
    sent = Counter(pcns_in(sorted(peer.server_path(profile.upload_dir).iterdir())))
    lost = {c["patient_control_number"] for c in claims} - set(sent)
    twice = [pcn for pcn, n in sent.items() if n > 1]
    return (
        f"kill -9: {done} kills in {runs} runs over {count} claims ({time.perf_counter() - started:.1f} s): "
        f"{len(lost)} lost, {len(twice)} sent twice, {len(sent)} on the server"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=10_000, help="daemon.max_claims_per_batch")
    parser.add_argument("--no-baseline", action="store_true", help="only the daemon row")
    parser.add_argument("--kills", type=int, default=0, help="also run N random kill -9s (e.g. 200)")
    parser.add_argument("--kill-claims", type=int, default=3_000)
    args = parser.parse_args()
    configure(False, level=40)
    load_rule_book(REPO / "payer_configs")
    # No pyx12 maps in this parent: the gate runs in the pool's workers, which load them once, and a
    # forked row would count the parent's pages in its own peak RSS.
    peer = SshdPeer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-daemon-") as temp:
            root = Path(temp)
            rows = [("daemon (gateway run --once)", *daemon_row(peer, root, args.claims, args.batch))]
            if not args.no_baseline:
                rows.append(("baseline (build_837p_file + send)", *baseline_row(peer, root, args.claims)))
            print(
                f"\n{args.claims:,} claims, intake to uploaded on loopback SFTP (target <= 25 s, peak RSS <= 300 MB); "
                f"{usable_cores()} cores, load average {os.getloadavg()[0]:.1f}\n"
            )
            print(
                "| path | total s | claims/s | intake s | build+gate+record s | of it gate s | upload s "
                "| CPU s: process (intake / build+record) | CPU s: gate workers | peak MB: process | peak MB: a gate worker |"
            )
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for name, figures, rss in rows:
                print(
                    f"| {name} | {figures['total']:.1f} | {args.claims / figures['total']:.0f} "
                    f"| {figures['intake']:.1f} | {figures['outbound']:.1f} | {figures['gate']:.1f} "
                    f"| {figures['upload']:.1f} | {figures['cpu']:.1f} ({figures['intake_cpu']:.1f} / {figures['build_cpu']:.1f}) "
                    f"| {figures['worker_cpu']:.1f} "
                    f"| {rss:.0f} | {figures['worker_mb']:.0f} |"
                )
            if args.kills:
                print("\n" + kill_run(peer, root, args.kill_claims, args.kills))
    finally:
        peer.remove()


if __name__ == "__main__":
    main()
