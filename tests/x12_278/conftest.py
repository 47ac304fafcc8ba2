"""Fixtures of the 278/277 map tests: merged map directories built once per session in a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import REPO_ROOT
from gateway.x12.pyx12_maps import MapKind, build_merged_dir, pyx12_map_dir

CORPUS = REPO_ROOT.parent / "shared" / "corpus"
EDI_MAPS = REPO_ROOT / "edi_maps"


@pytest.fixture(scope="session")
def map_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pyx12-maps")


@pytest.fixture(scope="session")
def request_maps(map_root: Path) -> Path:
    return build_merged_dir(MapKind.REQUEST, map_root, pyx12_map_dir(), EDI_MAPS)


@pytest.fixture(scope="session")
def response_maps(map_root: Path) -> Path:
    return build_merged_dir(MapKind.RESPONSE, map_root, pyx12_map_dir(), EDI_MAPS)
