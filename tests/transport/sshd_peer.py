"""A real OpenSSH sshd on 127.0.0.1 for tests: key-only, pinned host key, internal-sftp, no chroot.

Reusable outside tests/transport (the daemon tests): in that folder's conftest.py,
``from tests.transport.sshd_peer import sshd_factory, sshd_peer`` and list them in ``__all__``.
``sshd_peer`` is session-scoped and shared; ``sshd_factory`` makes servers for one test (to kill,
fill or reconfigure) and removes them afterwards.

Facts this relies on (../shared/reference/sftp_test_peer.md, measured on this machine):

* sshd runs as the user running the tests; as root the client logs in as the unprivileged
  ``sftptest`` (created by .ci/services.sh), because root ignores file modes.
* sshd is started by absolute path with ``-p PORT -o ListenAddress=127.0.0.1`` on the command
  line (a config without them listens on 0.0.0.0:22).
* Temp dirs are 0755 (sshd reads authorized_keys as the login user) with ``StrictModes no``.
* Sessions ``setsid()``: stopping collects the listener's descendants first, then kills them by
  PID, because once the listener is gone they are re-parented to PID 1.
* "Disk full" is a small tmpfs mounted in sshd's private mount namespace (root only); the host
  never sees the mount, and it disappears with sshd.  Its files are read through /proc/PID/root.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.profile_sections import sectioned

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
ROOT_LOGIN_USER = "sftptest"
HOST = "127.0.0.1"

_CONFIG = """\
HostKey {base}/ssh_host_ed25519_key
PidFile {base}/sshd.pid
AuthorizedKeysFile {base}/authorized_keys
AuthenticationMethods publickey
PubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers {user}
UsePAM no
StrictModes no
MaxStartups 100
LoginGraceTime 20
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d {home}
DisableForwarding yes
PermitTTY no
LogLevel VERBOSE
{extra}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _children_of(root_pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [root_pid]
    while queue:
        for child in parents.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def keygen(path: Path, key_type: str = "ed25519", passphrase: str = "") -> str:
    """Create a key pair at ``path`` (encrypted when ``passphrase``); return 'TYPE BASE64'."""
    size = ["-b", "3072"] if key_type == "rsa" else []
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", key_type, *size, "-N", passphrase, "-C", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return " ".join(Path(f"{path}.pub").read_text().split()[:2])


class SshdPeer:
    """One sshd listening on 127.0.0.1:port; see the module docstring."""

    def __init__(self, extra_config: str = "", disk_limit: str | None = None) -> None:
        if not os.path.exists(SSHD):
            pytest.fail(f"{SSHD} is missing: run `bash .ci/services.sh` (installs openssh-server)")
        self.is_root = os.geteuid() == 0
        self.user = ROOT_LOGIN_USER if self.is_root else getpass.getuser()
        try:
            entry = pwd.getpwnam(self.user)
        except KeyError:
            pytest.fail(f"user {self.user} is missing: run `bash .ci/services.sh`")
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        if disk_limit is not None and not self.is_root:
            pytest.skip("a size-limited server folder needs root (mount in a private namespace)")
        self.extra_config = extra_config
        self.disk_limit = disk_limit
        self.base = Path(tempfile.mkdtemp(prefix="sshd-peer-", dir=os.environ.get("SFTP_TEST_TMPDIR")))
        self.base.chmod(0o755)
        self.home = self.base / "home"
        self.home.mkdir(mode=0o755)
        os.chown(self.home, self.uid, self.gid)
        self.host_key = keygen(self.base / "ssh_host_ed25519_key")
        self.client_key = self.base / "client_ed25519"
        public = keygen(self.client_key)
        (self.base / "authorized_keys").write_text(public + "\n")
        (self.base / "authorized_keys").chmod(0o644)
        self.log_path = self.base / "sshd.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def _command(self) -> list[str]:
        config = self.base / "sshd_config"
        extra = self.extra_config
        config.write_text(_CONFIG.format(base=self.base, user=self.user, home=self.home, extra=extra))
        sshd = [SSHD, "-D", "-e", "-f", str(config), "-p", str(self.port), "-o", f"ListenAddress={HOST}"]
        if self.disk_limit is None:
            return sshd
        # unshare and sh both exec, so the Popen pid is sshd's and /proc/PID/root sees the mount.
        script = 'mount -t tmpfs -o size="$1",mode=0755 tmpfs "$2" && chown "$3" "$2" && shift 3 && exec "$@"'
        full = self.home / "full"
        full.mkdir(exist_ok=True)
        owner = f"{self.uid}:{self.gid}"
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                self.disk_limit, str(full), owner, *sshd]  # fmt: skip

    def start(self, keep_port: bool = False) -> SshdPeer:
        for _ in range(5):
            if not keep_port or not self.port:
                self.port = _free_port()
            with self.log_path.open("ab") as log:
                self.proc = subprocess.Popen(self._command(), stdout=log, stderr=log)
            if self._wait_for_banner():
                return self
            self.proc.wait(timeout=5)
            if "Address already in use" not in self.log_path.read_text() or keep_port:
                break
        pytest.fail(f"sshd did not start; its log:\n{self.log_path.read_text()}")

    def _wait_for_banner(self) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as conn:
                    if conn.recv(64).startswith(b"SSH-2.0-"):
                        return True
            except OSError:
                time.sleep(0.005)
        return False

    def session_pids(self) -> list[int]:
        if self.proc is None or self.proc.poll() is not None:
            return []
        return [pid for pid in _children_of(self.proc.pid) if self._is_sshd(pid)]

    @staticmethod
    def _is_sshd(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sshd")
        except OSError:
            return False

    def kill_sessions(self, sig: int = signal.SIGKILL) -> int:
        """Signal every connection's processes; the listener stays up.  Returns how many."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        return len(pids)

    def stop(self) -> None:
        """Stop the listener and every session (collected first: they setsid)."""
        if self.proc is None:
            return
        sessions = self.session_pids()
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
        for pid in sessions:
            if self._is_sshd(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.proc = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    # -- what tests need ---------------------------------------------------------------------

    def folder(self, relative: str, mode: int = 0o755) -> str:
        """Create a folder (owned by the login user) under the start dir; return its remote path."""
        path = self.server_path(relative)
        top = self.server_path("")
        # Every new component, not only the last: the test process may run with umask 077
        # (the gateway's CLI sets it), and the login user must be able to walk the path.
        for part in [*reversed(path.relative_to(top).parents[:-1]), path.relative_to(top)]:
            created = top / part
            if not created.exists():
                created.mkdir()
                os.chown(created, self.uid, self.gid)
                created.chmod(0o755)
        os.chown(path, self.uid, self.gid)
        path.chmod(mode)
        return relative

    def server_path(self, relative: str) -> Path:
        """Where a remote path (relative to the start dir) is, as seen by the test process."""
        if self.disk_limit is not None and self.proc is not None:
            return Path(f"/proc/{self.proc.pid}/root") / str(self.home).lstrip("/") / relative
        return self.home / relative

    def authorize(self, public_key: str) -> None:
        """Accept one more client key (a line 'TYPE BASE64')."""
        with (self.base / "authorized_keys").open("a") as keys:
            keys.write(public_key + "\n")

    def connections(self) -> int:
        """TCP connections sshd accepted so far (from its VERBOSE log)."""
        return self.log_path.read_text(errors="replace").count("Connection from ")

    def profile_data(self, upload_dir: str, response_dir: str, **overrides: Any) -> dict[str, Any]:
        """A clearinghouse profile's sections pointing at this server (``overrides`` written flat)."""
        data: dict[str, Any] = {
            "host": HOST,
            "port": self.port,
            "user": self.user,
            "private_key": str(self.client_key),
            "host_key": self.host_key,
            "upload_dir": upload_dir,
            "response_dir": response_dir,
            "isa_sender_id": "CLINIC042",
            "isa_receiver_id": "TESTCLEAR",
            "gs_sender_code": "CLINIC042",
            "gs_receiver_code": "TESTCLEAR",
            "timeout": 5.0,
            "retry": {"attempts": 3, "base_delay": 0.01, "max_delay": 0.05},
        }
        data.update(overrides)
        return sectioned(data)


@pytest.fixture(scope="session")
def sshd_peer() -> Iterator[SshdPeer]:
    peer = SshdPeer().start()
    yield peer
    peer.remove()


@pytest.fixture()
def sshd_factory() -> Iterator[type[SshdPeer]]:
    """Call it like ``SshdPeer(...)``; every server it made is removed after the test."""
    made: list[SshdPeer] = []

    class TrackedPeer(SshdPeer):
        def __init__(self, extra_config: str = "", disk_limit: str | None = None) -> None:
            super().__init__(extra_config, disk_limit)
            made.append(self)

    yield TrackedPeer
    for peer in made:
        peer.remove()
