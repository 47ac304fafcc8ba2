"""The ICD-10-CM release shipped by the ``simple-icd-10-cm`` package, read once into a cache file.

Reading the package's 10 MB tabular XML takes about two seconds; ``gateway check`` must not pay
that on every run.  The first use builds the compact index (``gateway.codesets.icd10cm``) and
writes it to ``$GATEWAY_CODESET_CACHE`` (default ``$XDG_CACHE_HOME/pain-claims-gateway/codesets``)
under a name made of the package version and the data files' sizes and modification times, so a
package upgrade builds a new one.  A cache file is not a database table on purpose: it is derived
data of a file every installation already has, identical for every clinic, and loading it from
a local file costs a few milliseconds where a database round trip plus the same decoding costs
more and needs a migrated database (``gateway validate`` opens none).  Imported releases, which
are the clinic's own data, live in the database (``gateway.store.codesets``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from functools import cache
from importlib import util
from pathlib import Path

from gateway.codesets.icd10cm import Icd10Index
from gateway.codesets.releases import (
    CodeSetKind,
    Icd10Release,
    ReleaseInfo,
    effective_from_name,
    release_label,
)
from gateway.errors import CodeSetError

PACKAGE = "simple-icd-10-cm"
_MAGIC = b"ICD10CM2"


def package_version() -> str:
    from importlib import metadata  # ~40 ms to import: only for status output, not for look-ups

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        raise CodeSetError(f"the {PACKAGE} package is not installed (pip install {PACKAGE})") from None


def shipped_files() -> tuple[Path, Path]:
    """(code list, tabular XML) inside the installed package."""
    # find_spec locates the package without importing it: importing it parses the XML (~2 s).
    spec = util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise CodeSetError(f"the {PACKAGE} package is not installed (pip install {PACKAGE})")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    codes = sorted(folder.glob("code-list-*.txt"))
    tabular = sorted(folder.glob("*tabular*.xml"))
    if not codes or not tabular:
        raise CodeSetError(f"{folder}: the {PACKAGE} package ships no code list or tabular XML")
    return codes[-1], tabular[-1]


def cache_root() -> Path:
    explicit = os.environ.get("GATEWAY_CODESET_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "pain-claims-gateway" / "codesets"


def _cache_name(codes: Path, tabular: Path) -> str:
    # The files' sizes and times stand for the package version: an upgrade rewrites them.
    stamp = "-".join(f"{p.stat().st_size}-{p.stat().st_mtime_ns}" for p in (codes, tabular))
    return f"icd10cm-{PACKAGE}-{stamp}.bin"


def write_blobs(path: Path, index: Icd10Index) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".icd10cm-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(_MAGIC + index.to_blob())
        os.chmod(temporary, 0o644)  # public reference data, no PHI
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_blobs(path: Path) -> Icd10Index | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    try:
        return Icd10Index.from_blob(data[len(_MAGIC) :])
    except (ValueError, EOFError, TypeError):
        return None  # a damaged cache file is rebuilt


@cache
def load_shipped_index() -> Icd10Index:
    codes, tabular = shipped_files()
    path = cache_root() / _cache_name(codes, tabular)
    index = read_blobs(path)
    if index is None:
        from gateway.codesets.icd10cm_files import load_release  # lxml only when (re)building

        day = effective_from_name(codes.name) or effective_from_name(tabular.name)
        name = release_label(day) if day else codes.stem
        index = load_release(name, codes, tabular)
        with contextlib.suppress(OSError):  # read-only home: rebuilt next time, still correct
            write_blobs(path, index)
    return index


@cache
def shipped_release() -> Icd10Release:
    """The package's release: its window from the file name (April 2026 -> from 2026-04-01)."""
    codes, tabular = shipped_files()
    day = effective_from_name(codes.name) or effective_from_name(tabular.name) or dt.date(2025, 10, 1)
    info = ReleaseInfo(
        kind=CodeSetKind.ICD10CM,
        name=release_label(day),
        effective_from=day,
        effective_to=None,
        source=f"{codes.name} + {tabular.name}",
        sha256="",
        rows=0,
        origin=f"shipped ({PACKAGE})",
    )
    return Icd10Release(info, load_shipped_index)
