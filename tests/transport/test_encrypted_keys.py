"""Passphrase-protected client keys (ed25519 and RSA) against the real sshd.

paramiko 5 wants the passphrase as bytes; a str gave "internal error: TypeError: password must
be bytes" in `gateway clearinghouse test` and a batch stuck in `sending` under the daemon.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gateway.cli.clearinghouse import clearinghouse
from gateway.errors import PermanentTransportError
from gateway.settings import Settings
from gateway.store.db import Store
from gateway.transport.sftp import SftpTransport
from tests.daemon.helpers import make_claims, make_daemon, pcns_in, write_pending
from tests.transport.sshd_peer import SshdPeer, keygen
from tests.transport.transport_helpers import make_profile

PASSPHRASE = "correct horse battery staple"
KEY_TYPES = ["ed25519", "rsa"]


def _encrypted_key(peer: SshdPeer, folder: Path, key_type: str) -> Path:
    key = folder / f"client_{key_type}_encrypted"
    peer.authorize(keygen(key, key_type, PASSPHRASE))
    key.chmod(0o600)
    return key


@pytest.mark.sshd
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_clearinghouse_test_logs_in_with_an_encrypted_key(
    sshd_peer: SshdPeer, tmp_path: Path, key_type: str
) -> None:
    key = _encrypted_key(sshd_peer, tmp_path, key_type)
    data = sshd_peer.profile_data(
        sshd_peer.folder(f"enc-{key_type}/to-ch"), sshd_peer.folder(f"enc-{key_type}/from-ch"),
        private_key=str(key), private_key_passphrase_env="ACME_KEY_PASSPHRASE",
    )  # fmt: skip
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({"clearinghouses": {"acme": data}}))
    settings = Settings.from_env({"GATEWAY_HOME": str(tmp_path), "GATEWAY_CONFIG": str(config)})

    result = CliRunner().invoke(
        clearinghouse, ["test", "acme"], obj=settings, env={"ACME_KEY_PASSPHRASE": PASSPHRASE}
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"clearinghouse acme: ok, sftp://{sshd_peer.user}@127.0.0.1:")
    assert f"upload folder 'enc-{key_type}/to-ch' ok" in result.output


@pytest.mark.sshd
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_wrong_passphrase_is_one_permanent_line_naming_the_variable(
    sshd_peer: SshdPeer, tmp_path: Path, key_type: str
) -> None:
    key = _encrypted_key(sshd_peer, tmp_path, key_type)
    profile = make_profile(
        sshd_peer, f"wrongpass-{key_type}", private_key=str(key), private_key_passphrase_env="P"
    )
    transport = SftpTransport(profile, environ={"P": "not the passphrase"})
    connections = sshd_peer.connections()
    try:
        with pytest.raises(PermanentTransportError) as raised:
            transport.probe()
    finally:
        transport.close()
    assert str(raised.value) == (
        f"clearinghouse testch: private_key {key} cannot be opened with the passphrase in P "
        "(wrong passphrase, or not a private key)"
    )
    assert sshd_peer.connections() == connections  # no login is attempted with an unusable key


@pytest.mark.sshd
def test_unset_passphrase_variable_is_named(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    key = _encrypted_key(sshd_peer, tmp_path, "ed25519")
    profile = make_profile(sshd_peer, "unset-pass", private_key=str(key), private_key_passphrase_env="NOPE")
    transport = SftpTransport(profile, environ={})
    try:
        with pytest.raises(
            PermanentTransportError,
            match=r"^clearinghouse testch: private_key_passphrase_env NOPE is not set$",
        ):
            transport.probe()
    finally:
        transport.close()


@pytest.mark.sshd
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_daemon_sends_a_batch_with_an_encrypted_key(
    sshd_peer: SshdPeer,
    sqlite_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key_type: str,
) -> None:
    key = _encrypted_key(sshd_peer, tmp_path, key_type)
    monkeypatch.setenv("TESTCH_PASSPHRASE", PASSPHRASE)
    profile = make_profile(
        sshd_peer,
        f"daemon-enc-{key_type}",
        private_key=str(key),
        private_key_passphrase_env="TESTCH_PASSPHRASE",
    )
    write_pending(tmp_path / "outbound", make_claims(3, "E"))
    daemon = make_daemon(sqlite_store, tmp_path, {profile.name: profile})
    daemon.run_until_idle()

    uploaded = sorted(sshd_peer.server_path(profile.upload_dir).iterdir())
    assert [p.suffix for p in uploaded] == [".x12"]
    assert sorted(pcns_in(uploaded)) == ["E0000000", "E0000001", "E0000002"]
