"""Merged pyx12 map directories: pyx12's shipped maps plus ours from edi_maps/.

pyx12 reads everything (maps.xml, the control maps, codes.xml, dataele.xml and the transaction
maps) from one directory, so our 278 X217 and 277 X212 maps can only be used through a copy of
pyx12's map folder with our files added and registered in its ``maps.xml``.

Why one directory per 278 direction: pyx12 picks a map by ISA12/GS01/GS08 and re-selects by BHT02
only for 4010 X094 (reference/x217_278_structure.md §5.4), so two ``tspc`` entries for
``005010X217`` would make it use the first one for every 278.  Instead each *kind* of directory
registers exactly one X217 map: ``request`` (BHT02 01/13/36) or ``response`` (BHT02 11).
``map_path_for`` reads the BHT02 values of a file and returns the directory that fits; a file that
mixes requests and responses cannot be validated in one pyx12 run and is refused.  This keeps
pyx12 unpatched (no monkeypatch to carry across upgrades) at the cost of one directory per kind.

The directories are built once and cached on disk under a key that hashes the content of
pyx12's map folder and of edi_maps/, so an upgrade of either builds a fresh one.  Building
happens in a temporary directory that is renamed into place, which is atomic: concurrent
processes either find the finished directory or lose the rename race and use the winner's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from enum import StrEnum
from functools import cache
from pathlib import Path

from gateway.errors import ConfigError, ValidationFailed, X12SyntaxError

MAP_FORMAT_VERSION = "1"  # bump when the way directories are assembled changes
X217 = "005010X217"
X212 = "005010X212"
REQUEST_PURPOSES = frozenset({"01", "13", "36"})  # BHT02: cancellation, request, authority to deduct
RESPONSE_PURPOSES = frozenset({"11"})


class MapKind(StrEnum):
    REQUEST = "request"
    RESPONSE = "response"


# Our map files, and what each kind registers for 5010 (ISA12 00501).
OUR_MAPS = {
    "278.5010.X217.request.xml",
    "278.5010.X217.response.xml",
    "277.5010.X212.xml",
}
_REGISTRATIONS = {
    MapKind.REQUEST: (
        f'<map vriic="{X217}" fic="HI" abbr="278">278.5010.X217.request.xml</map>',
        f'<map vriic="{X212}" fic="HN" abbr="277">277.5010.X212.xml</map>',
    ),
    MapKind.RESPONSE: (
        f'<map vriic="{X217}" fic="HI" abbr="278">278.5010.X217.response.xml</map>',
        f'<map vriic="{X212}" fic="HN" abbr="277">277.5010.X212.xml</map>',
    ),
}


def pyx12_map_dir() -> Path:
    import pyx12

    return Path(pyx12.__file__).resolve().parent / "map"


# Our maps folder: the repository's edi_maps/ unless the process's Settings say otherwise
# (the CLI injects ``settings.edi_maps`` through ``use_edi_maps`` once, at start).
_EDI_MAPS = [Path(__file__).resolve().parents[2] / "edi_maps"]


def use_edi_maps(folder: Path) -> None:
    _EDI_MAPS[0] = folder


def edi_maps_dir() -> Path:
    return _EDI_MAPS[0]


def cache_root() -> Path:
    """$GATEWAY_MAP_CACHE, else $XDG_CACHE_HOME/pain-claims-gateway/pyx12-maps (~/.cache/...)."""
    explicit = os.environ.get("GATEWAY_MAP_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "pain-claims-gateway" / "pyx12-maps"


def _map_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".xml")


def content_key(pyx12_dir: Path, ours: Path) -> str:
    """SHA-256 over names and bytes of every XML file in both folders (first 16 hex digits)."""
    digest = hashlib.sha256(MAP_FORMAT_VERSION.encode())
    for label, folder in (("pyx12", pyx12_dir), ("ours", ours)):
        for path in _map_files(folder):
            digest.update(f"{label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _registered_maps_xml(shipped: str, kind: MapKind) -> str:
    """pyx12's maps.xml with our entries first in the 00501 block (first match wins in pyx12)."""
    marker = '<version icvn="00501">'
    if marker not in shipped:
        raise ConfigError(f"pyx12 maps.xml has no {marker} block: unsupported pyx12 version")
    entries = "".join(f"\n    {line}" for line in _REGISTRATIONS[kind])
    return shipped.replace(marker, marker + entries, 1)


def _assemble(target: Path, pyx12_dir: Path, ours: Path, kind: MapKind) -> None:
    for path in _map_files(pyx12_dir):
        shutil.copyfile(path, target / path.name)
    for name in OUR_MAPS:
        source = ours / name
        if not source.is_file():
            raise ConfigError(f"{source}: map missing from edi_maps (GATEWAY_EDI_MAPS)")
        shutil.copyfile(source, target / name)
    shipped = (pyx12_dir / "maps.xml").read_text(encoding="utf-8")
    (target / "maps.xml").write_text(_registered_maps_xml(shipped, kind), encoding="utf-8")


def build_merged_dir(kind: MapKind, root: Path, pyx12_dir: Path, ours: Path) -> Path:
    """The merged directory for ``kind`` under ``root``, built if it does not exist yet."""
    final = root / f"{content_key(pyx12_dir, ours)}-{kind.value}"
    if (final / "maps.xml").is_file():
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{kind.value}-", dir=root))
    except OSError as error:
        raise ConfigError(f"{root}: cannot create the pyx12 map cache ({error.strerror})") from None
    try:
        _assemble(staging, pyx12_dir, ours, kind)
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, final)
        except OSError:
            # Another process renamed its copy first: the content is the same, use theirs.
            if not (final / "maps.xml").is_file():
                raise
    except OSError as error:
        raise ConfigError(f"{final}: cannot build the merged pyx12 map directory ({error})") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


@cache
def merged_map_dir(kind: MapKind = MapKind.REQUEST) -> Path:
    """The cached merged directory for ``kind`` (built at most once per process)."""
    return build_merged_dir(kind, cache_root(), pyx12_map_dir(), edi_maps_dir())


def _purposes(text: str) -> tuple[set[str], set[str]]:
    """GS08 versions and the BHT02 of every 278 in ``text`` (cheap scan; no full parse)."""
    from gateway.x12.reader import read_segments

    versions: set[str] = set()
    purposes: set[str] = set()
    current = ""
    for segment in read_segments(text.encode("utf-8", errors="replace")):
        if segment.id == "GS":
            current = segment[8]
            versions.add(current)
        elif segment.id == "BHT" and current == X217:
            purposes.add(segment[2])
    return versions, purposes


def kind_for(text: str) -> MapKind | None:
    """Which merged directory ``text`` needs; None when pyx12's own maps cover it."""
    try:
        versions, purposes = _purposes(text)
    except X12SyntaxError:
        return None  # unreadable: pyx12 reports it with its own maps
    if X217 not in versions and X212 not in versions:
        return None
    if not purposes or purposes <= REQUEST_PURPOSES:
        return MapKind.REQUEST
    if purposes <= RESPONSE_PURPOSES:
        return MapKind.RESPONSE
    found = ", ".join(sorted(purposes))
    raise ValidationFailed(
        f"278 file mixes BHT02 purposes ({found}): requests (01/13/36) and responses (11) "
        "must be validated in separate files"
    )


def map_path_for(text: str) -> Path | None:
    """The pyx12 ``map_path`` to validate ``text`` with; None means pyx12's shipped maps."""
    kind = kind_for(text)
    return None if kind is None else merged_map_dir(kind)
