"""The operator guide's commands work as written (docs/operator/*.md, every `sh` block, in order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.simulator.doc_runner import blocks, commands, run_page
from tests.transport.sshd_peer import SshdPeer

DOCS = REPO / "docs" / "operator"
# page -> what its output must show (beyond every command succeeding)
LOCAL_PAGES = {
    "install.md": ["gateway, version", "HELDWISER1", "prior auth CERT", "835"],
    "service.md": ["idle after"],
    "status.md": ["paid", "denied", "CO-50", "accepted"],
    "replay.md": ["segment has data element errors", '"invalid code value"', "replaced", "accepted"],
    "payer_rule.md": ["held: exit 1"],
    "web.md": [
        "user ann added (operator); actions are recorded as operator:ann",
        "val                  viewer",
        "no audit entries",
    ],
    "failures.md": ["nested deeper than 32 levels (the limit for intake files)", "b_valid.json"],
    "after_835.md": [
        "DXFIX2026061101 (#1) NORIDIAN JF PART B, line 1 64493, service 2026-06-10: denied 1100 of 1100 -> correct and resubmit",
        "    our rule: noridian.dx_facet (fires on this claim; L38801 v23, unverified)",
        "replacement #4 of #1 queued for rules, gate and the next batch",
        "  #1 -> #4: replacement (paid)",
        "  #2 -> #3: secondary (paid)",
        "error: no claim with patient control number NOSUCH0001",
        "error: claim COB2026061001: no other coverage after payer 36273 to bill",
    ],
}
SFTP_PAGE = "clearinghouse.md"


def scratch_env(folder: Path) -> dict[str, str]:
    return {
        "GATEWAY_HOME": str(folder),
        "GATEWAY_REPO": str(REPO),
        "PATH": f"{REPO / '.venv' / 'bin'}:{Path('/usr/bin')}:{Path('/bin')}",
    }


def test_every_page_is_in_the_index_and_tested() -> None:
    pages = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    index = (DOCS / "README.md").read_text()
    assert pages == set(LOCAL_PAGES) | {SFTP_PAGE}
    for page in pages:
        assert f"]({page})" in index
        assert blocks(DOCS / page), f"{page} has no tested command block"


def test_commands_keep_here_documents_together() -> None:
    block = "mkdir x\ncat > a <<'EOF'\nkey: 1\nEOF\n# comment\ngateway status\n"
    assert commands(block) == ["mkdir x", "cat > a <<'EOF'\nkey: 1\nEOF", "gateway status"]


@pytest.mark.parametrize("page", sorted(LOCAL_PAGES))
def test_page_runs_as_written(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = run_page(DOCS / page, tmp_path, scratch_env(tmp_path), monkeypatch, capsys)
    for expected in LOCAL_PAGES[page]:
        assert expected in output, f"{page}: {expected!r} not in the output:\n{output}"


@pytest.mark.sshd
def test_clearinghouse_page_against_a_real_sshd(
    sshd_peer: SshdPeer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        **scratch_env(tmp_path),
        "SFTP_HOST": "127.0.0.1",
        "SFTP_PORT": str(sshd_peer.port),
        "SFTP_USER": sshd_peer.user,
        "UPLOAD_DIR": sshd_peer.folder("docs/to-clearinghouse"),
        "RESPONSE_DIR": sshd_peer.folder("docs/from-clearinghouse"),
    }

    def clearinghouse_installs_the_public_key() -> None:
        public = (tmp_path / "keys" / "clearinghouse_ed25519.pub").read_text()
        with (sshd_peer.base / "authorized_keys").open("a") as keys:
            keys.write(public)

    output = run_page(
        DOCS / SFTP_PAGE,
        tmp_path,
        env,
        monkeypatch,
        capsys,
        between={0: clearinghouse_installs_the_public_key},
    )
    assert "clearinghouse acme: ok" in output
    assert "277CA" in output.split("$ gateway claims show")[-1]  # the round trip reached the ledger
    assert (tmp_path / "keys" / "clearinghouse_ed25519").stat().st_mode & 0o077 == 0
