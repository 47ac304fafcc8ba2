"""Turn the CMS Medicare Coverage Database article export into a ``payer_configs/dx/`` file.

The MCD "current article" download is a folder of CSV files.  Three of them are read:

* ``article_x_icd10_covered.csv``        article_id, article_version, icd10_code_id,
                                          icd10_covered_group, ... (one row per covered code)
* ``article_x_icd10_covered_group.csv``  article_id, article_version, icd10_covered_group,
                                          paragraph (what the group is for: its CPT scope, and
                                          whether a secondary code is required)
* ``article_x_hcpc_code.csv``            article_id, article_version, hcpc_code_id, hcpc_code_group

Every ICD-10 group is applied to the article's CPT codes of HCPCS group 1 (the covered codes);
the group paragraph is kept as the group's ``note`` because a paragraph can narrow the CPT scope
("for facet cyst injection only"), and a reviewer must read it before relying on the file.  The
export is the primary source, so the file is written with ``status: verified``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from gateway.errors import ConfigError

COVERED = "article_x_icd10_covered.csv"
GROUPS = "article_x_icd10_covered_group.csv"
HCPCS = "article_x_hcpc_code.csv"


def _rows(folder: Path, name: str, article_number: str) -> Iterator[dict[str, str]]:
    path = folder / name
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            for row in csv.DictReader(handle):
                if (row.get("article_id") or "").strip().lstrip("A") == article_number:
                    yield row
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the MCD export file: {error.strerror}") from error


def _icd10(code: str) -> str:
    code = code.strip().upper()
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 and "." not in code else code


def article_from_export(
    folder: Path, article: str, *, mac: str | None = None, lcd: str | None = None, title: str | None = None
) -> dict[str, Any]:
    """The ``dx/`` document for ``article`` (e.g. ``A58403``) from the newest version in the export."""
    number = article.strip().upper().lstrip("A")
    covered = list(_rows(folder, COVERED, number))
    if not covered:
        raise ConfigError(f"{folder / COVERED}: no covered ICD-10 rows for article A{number}")
    version = max(int(row["article_version"]) for row in covered)

    def current(row: dict[str, str]) -> bool:
        return int(row.get("article_version") or 0) == version

    codes: dict[str, list[str]] = defaultdict(list)
    for row in filter(current, covered):
        codes[row["icd10_covered_group"].strip()].append(_icd10(row["icd10_code_id"]))
    paragraphs = {
        row["icd10_covered_group"].strip(): " ".join((row.get("paragraph") or "").split())
        for row in _rows(folder, GROUPS, number)
        if current(row)
    }
    cpt = sorted(
        {
            row["hcpc_code_id"].strip().upper()
            for row in _rows(folder, HCPCS, number)
            if current(row) and (row.get("hcpc_code_group") or "1").strip() == "1"
        }
    )
    if not cpt:
        raise ConfigError(f"{folder / HCPCS}: article A{number} v{version} lists no group-1 CPT/HCPCS codes")
    groups = []
    for group in sorted(codes, key=lambda g: (len(g), g)):
        entry: dict[str, Any] = {"group": group, "cpt": cpt, "codes": sorted(set(codes[group]))}
        if paragraphs.get(group):
            entry["note"] = paragraphs[group][:2000]
        groups.append(entry)
    document: dict[str, Any] = {
        "article": f"A{number}",
        "title": title or f"Billing and Coding article A{number}",
        "status": "verified",
        "source": f"CMS MCD article export ({folder.name}), imported {dt.date.today().isoformat()}",
        "version": str(version),
        "groups": groups,
    }
    if mac:
        document["mac"] = mac
    if lcd:
        document["lcd"] = lcd
    return document


def write_article(document: dict[str, Any], out_dir: Path) -> Path:
    path = out_dir / f"{document['article']}.yaml"
    header = (
        "# Imported from the CMS MCD article export by `gateway config import-dx`.\n"
        "# Read each group's note (its paragraph) before relying on the CPT scope.\n"
    )
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, width=110))
    return path
