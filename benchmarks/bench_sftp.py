"""SFTP transport throughput against a real OpenSSH sshd on 127.0.0.1, over one connection.

    .venv/bin/python benchmarks/bench_sftp.py [--small 1000] [--large 10] [--large-mb 10]

Rows: the gateway's SftpTransport (upload to NAME.tmp + confirm + posix_rename + size check,
TCP_NODELAY; download to a temp file + fsync + rename, no prefetch) next to a naive paramiko
baseline in the same run (put straight to the final name, Nagle on; get with prefetch).
Needs sshd (``bash .ci/services.sh``); as root, also the ``sftptest`` user it creates.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import paramiko

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gateway.transport.profiles import ClearinghouseProfile
from gateway.transport.sftp import SftpTransport
from tests.transport.sshd_peer import SshdPeer  # the test peer, reused

SMALL_CLAIM = (
    b"ISA*00*          *00*          *ZZ*CLINIC042      *ZZ*TESTCLEAR      *261128*0930*^*00501*"
    b"000000001*0*T*:~GS*HC*CLINIC042*TESTCLEAR*20261128*0930*1*X*005010X222A1~ST*837*0001*005010X222A1~"
)


def _files(folder: Path, count: int, size: int, prefix: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"{prefix}{number:05d}.x12"
        body = SMALL_CLAIM * (size // len(SMALL_CLAIM) + 1) if size < 65536 else os.urandom(size)
        path.write_bytes(body[:size])
        paths.append(path)
    return paths


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _each(step: Callable[[Path], object], paths: list[Path]) -> Callable[[], None]:
    def run() -> None:
        for path in paths:
            step(path)

    return run


def _naive_client(peer: SshdPeer) -> tuple[paramiko.SSHClient, paramiko.SFTPClient]:
    client = paramiko.SSHClient()
    client.get_host_keys().add(f"[127.0.0.1]:{peer.port}", "ssh-ed25519", _pinned(peer))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        "127.0.0.1",
        peer.port,
        peer.user,
        pkey=paramiko.PKey.from_path(str(peer.client_key)),
        allow_agent=False,
        look_for_keys=False,
    )
    return client, client.open_sftp()


def _pinned(peer: SshdPeer) -> paramiko.PKey:
    import base64

    key_type, blob = peer.host_key.split()
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--small-bytes", type=int, default=2048)
    parser.add_argument("--large", type=int, default=10)
    parser.add_argument("--large-mb", type=int, default=10)
    args = parser.parse_args()

    peer = SshdPeer().start()
    rows: list[tuple[str, int, int, float]] = []
    try:
        with tempfile.TemporaryDirectory() as work:
            local = Path(work)
            small = _files(local / "small", args.small, args.small_bytes, "s")
            large = _files(local / "large", args.large, args.large_mb << 20, "L")
            small_bytes, large_bytes = (
                sum(p.stat().st_size for p in small),
                sum(p.stat().st_size for p in large),
            )
            upload, response = peer.folder("bench/up"), peer.folder("bench/resp")
            data = peer.profile_data(upload, response, timeout=60.0)
            transport = SftpTransport(ClearinghouseProfile(name="bench", **data))

            def send(path: Path) -> object:
                return transport.send(path, path.name)

            def fetch_all(inbound: Path) -> Callable[[], None]:
                def run() -> None:
                    for remote in transport.list_responses():
                        transport.fetch(remote, inbound)
                        transport.ack(remote)

                return run

            rows.append(("gateway send, small", args.small, small_bytes, _timed(_each(send, small))))
            rows.append(("gateway send, large", args.large, large_bytes, _timed(_each(send, large))))
            server_up, server_resp = peer.server_path(upload), peer.server_path(response)
            for path in server_up.iterdir():  # uploaded files become the responses to fetch
                path.rename(server_resp / path.name)
            inbound = local / "inbound"
            smalls = [p for p in server_resp.iterdir() if p.name.startswith("s")]
            larges = [p for p in server_resp.iterdir() if p.name.startswith("L")]
            for path in larges:
                path.rename(server_up / path.name)
            rows.append(("gateway fetch+ack, small", args.small, small_bytes, _timed(fetch_all(inbound))))
            for path in larges:
                (server_up / path.name).rename(path)
            rows.append(("gateway fetch+ack, large", args.large, large_bytes, _timed(fetch_all(inbound))))
            connects = transport.connects
            transport.close()
            assert not list(server_resp.iterdir()) and len(smalls) == args.small

            client, sftp = _naive_client(peer)
            naive = peer.folder("bench/naive")
            out = local / "naive_get"
            out.mkdir()

            def put(path: Path) -> object:
                return sftp.put(str(path), f"{naive}/{path.name}")

            def get(path: Path) -> object:
                sftp.get(f"{naive}/{path.name}", str(out / path.name))
                return None

            rows.append(("naive put, small", args.small, small_bytes, _timed(_each(put, small))))
            rows.append(("naive put, large", args.large, large_bytes, _timed(_each(put, large))))
            rows.append(("naive get (prefetch), large", args.large, large_bytes, _timed(_each(get, large))))
            client.close()
    finally:
        peer.remove()

    print(f"SFTP to OpenSSH on 127.0.0.1 (one connection per run; gateway connects: {connects})")
    print(f"{'run':<30} {'files':>6} {'MB':>8} {'seconds':>8} {'files/s':>9} {'MB/s':>8}")
    for label, count, size, seconds in rows:
        megabytes = size / (1 << 20)
        print(f"{label:<30} {count:>6} {megabytes:>8.1f} {seconds:>8.2f} {count / seconds:>9.1f} "
              f"{megabytes / seconds:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
