"""Code sets as data: ICD-10-CM releases, NCCI PTP/MUE quarters and LCD billing & coding articles.

The rules, the gate and the CLI ask this package about codes; they never read the publishers'
files themselves.  ``default_code_sets()`` is the shipped ICD-10-CM release alone (no database);
``gateway.store.codesets.load_code_sets(store)`` adds what was imported into the database.
"""

from __future__ import annotations

from gateway.codesets.icd10cm import Icd10Index, Icd10Status, dotted, plain
from gateway.codesets.releases import CodeSetKind, Icd10Catalog, Icd10Release, Judged, ReleaseInfo
from gateway.codesets.sets import CodeSets, default_code_sets

__all__ = [
    "CodeSetKind",
    "CodeSets",
    "Icd10Catalog",
    "Icd10Index",
    "Icd10Release",
    "Icd10Status",
    "Judged",
    "ReleaseInfo",
    "default_code_sets",
    "dotted",
    "plain",
]
