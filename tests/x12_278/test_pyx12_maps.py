"""Merged map directories: content-keyed, built once, safe against concurrent builders."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from gateway.errors import ValidationFailed
from gateway.settings import REPO_ROOT
from gateway.x12.pyx12_maps import MapKind, build_merged_dir, content_key, kind_for, pyx12_map_dir
from tests.x12_278.conftest import EDI_MAPS
from tests.x12_278.samples import REQUEST_BODY, RESPONSE_BODY, interchange


def test_kind_follows_bht02() -> None:
    assert kind_for(interchange(REQUEST_BODY)) is MapKind.REQUEST
    assert kind_for(interchange(RESPONSE_BODY)) is MapKind.RESPONSE


def test_files_pyx12_covers_need_no_merged_dir() -> None:
    text = interchange(REQUEST_BODY, functional_id="HC", version="005010X222A1")
    assert kind_for(text) is None
    assert kind_for("not x12 at all") is None


def test_277_x212_uses_a_merged_dir() -> None:
    assert kind_for(interchange(["BHT*0010*08*X*20260105*0930*DG"], "HN", "005010X212")) is MapKind.REQUEST


def test_mixed_directions_in_one_file_are_refused() -> None:
    request, response = interchange(REQUEST_BODY), interchange(RESPONSE_BODY)
    with pytest.raises(ValidationFailed, match="mixes BHT02"):
        kind_for(request + response)


def test_registration_and_copies(request_maps: Path, response_maps: Path) -> None:
    request_index = (request_maps / "maps.xml").read_text()
    response_index = (response_maps / "maps.xml").read_text()
    assert '"005010X217" fic="HI" abbr="278">278.5010.X217.request.xml' in request_index
    assert '"005010X217" fic="HI" abbr="278">278.5010.X217.response.xml' in response_index
    assert "277.5010.X212.xml</map>" in request_index
    for name in ("837.5010.X222.A1.xml", "dataele.xml", "codes.xml", "x12.control.00501.xml"):
        assert (request_maps / name).read_bytes() == (pyx12_map_dir() / name).read_bytes()
    assert (request_maps / "277.5010.X212.xml").read_bytes() == (EDI_MAPS / "277.5010.X212.xml").read_bytes()


def test_key_changes_with_our_maps(tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "a.xml").write_text("<a/>")
    before = content_key(pyx12_map_dir(), ours)
    (ours / "a.xml").write_text("<b/>")
    assert content_key(pyx12_map_dir(), ours) != before


def test_second_build_reuses_the_directory(map_root: Path, request_maps: Path) -> None:
    marker = request_maps / "maps.xml"
    mtime = marker.stat().st_mtime_ns
    again = build_merged_dir(MapKind.REQUEST, map_root, pyx12_map_dir(), EDI_MAPS)
    assert again == request_maps
    assert marker.stat().st_mtime_ns == mtime


def _build(root: str) -> str:
    return str(build_merged_dir(MapKind.RESPONSE, Path(root), pyx12_map_dir(), EDI_MAPS))


def test_concurrent_builders_agree_and_leave_no_staging(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_build, [str(tmp_path)] * 4))
    assert len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [Path(results[0]).name]
    assert (Path(results[0]) / "278.5010.X217.response.xml").is_file()


def test_committed_maps_match_their_sources() -> None:
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "edi_maps" / "tools" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
