"""The shipped ICD-10-CM release (simple-icd-10-cm 1.5.0: April 2026 tabular + code list), code by code.

Each row pins what the code set says: billable, a header with its billable codes, a code that
needs a 7th character (placeholder X included) or not a code at all.  "Deleted" rows are codes
that were billable in earlier releases and are headers since their expansion (M54.5 since
October 2021, M51.36/M51.37 since October 2024, K59.3 since October 2021).
"""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.codesets import Icd10Index, Icd10Status, default_code_sets

B, H, S, U = Icd10Status.BILLABLE, Icd10Status.HEADER, Icd10Status.NEEDS_SEVENTH, Icd10Status.UNKNOWN

TABLE: list[tuple[str, Icd10Status, str | None, list[str]]] = [
    # code, status, title, first billable codes under it (headers, 7th character, unknown: [])
    ("M54.5", H, "Low back pain", ["M5450", "M5451", "M5459"]),  # deleted as billable FY2022
    ("M54.50", B, "Low back pain, unspecified", []),
    ("M54.51", B, "Vertebrogenic low back pain", []),
    ("M54.59", B, "Other low back pain", []),
    (
        "M51.36",
        H,
        "Other intervertebral disc degeneration, lumbar region",
        ["M51360", "M51361", "M51362", "M51369"],
    ),
    (
        "M51.360",
        B,
        "Other intervertebral disc degeneration, lumbar region with discogenic back pain only",
        [],
    ),
    (
        "M51.369",
        B,
        "Other intervertebral disc degeneration, lumbar region without mention of lumbar back pain or lower extremity pain",
        [],
    ),
    (
        "M51.37",
        H,
        "Other intervertebral disc degeneration, lumbosacral region",
        ["M51370", "M51371", "M51372", "M51379"],
    ),
    (
        "M51.379",
        B,
        "Other intervertebral disc degeneration, lumbosacral region without mention of lumbar back pain or lower extremity pain",
        [],
    ),
    (
        "M47.81",
        H,
        "Spondylosis without myelopathy or radiculopathy",
        ["M47811", "M47812", "M47813", "M47814"],
    ),
    ("M47.812", B, "Spondylosis without myelopathy or radiculopathy, cervical region", []),
    ("M47.816", B, "Spondylosis without myelopathy or radiculopathy, lumbar region", []),
    ("M54.1", H, "Radiculopathy", ["M5410", "M5411", "M5412", "M5413"]),
    ("M54.16", B, "Radiculopathy, lumbar region", []),
    ("M54.17", B, "Radiculopathy, lumbosacral region", []),
    ("M48.06", H, "Spinal stenosis, lumbar region", ["M48061", "M48062"]),
    ("M48.062", B, "Spinal stenosis, lumbar region with neurogenic claudication", []),
    (
        "M51.3",
        H,
        "Other thoracic, thoracolumbar and lumbosacral intervertebral disc degeneration",
        ["M5134", "M5135", "M51360", "M51361"],
    ),
    ("M51.35", B, "Other intervertebral disc degeneration, thoracolumbar region", []),
    ("K59.3", H, "Megacolon, not elsewhere classified", ["K5931", "K5939"]),  # deleted as billable FY2022
    ("G89.2", H, "Chronic pain, not elsewhere classified", ["G8921", "G8922", "G8928", "G8929"]),
    ("G89.29", B, "Other chronic pain", []),
    ("G89.4", B, "Chronic pain syndrome", []),
    ("M79.1", H, "Myalgia", ["M7910", "M7911", "M7912", "M7918"]),
    ("M79.18", B, "Myalgia, other site", []),
    ("M46.1", B, "Sacroiliitis, not elsewhere classified", []),
    ("M53.3", B, "Sacrococcygeal disorders, not elsewhere classified", []),
    ("M96.1", B, "Postlaminectomy syndrome, not elsewhere classified", []),
    ("E11", H, "Type 2 diabetes mellitus", ["E1100", "E1101", "E1110", "E1111"]),
    ("E11.9", B, "Type 2 diabetes mellitus without complications", []),
    ("I10", B, "Essential (primary) hypertension", []),  # a three-character billable category
    ("R52", B, "Pain, unspecified", []),
    ("G44.209", B, "Tension-type headache, unspecified, not intractable", []),
    ("S33.5XXA", B, "Sprain of ligaments of lumbar spine, initial encounter", []),
    ("S33.5XXD", B, "Sprain of ligaments of lumbar spine, subsequent encounter", []),
    ("S33.5XX", S, "Sprain of ligaments of lumbar spine", ["S335XXA", "S335XXD", "S335XXS"]),
    ("S33.5", S, "Sprain of ligaments of lumbar spine", ["S335XXA", "S335XXD", "S335XXS"]),
    (
        "S32.009",
        S,
        "Unspecified fracture of unspecified lumbar vertebra",
        ["S32009A", "S32009B", "S32009D", "S32009G"],
    ),
    (
        "S32.009A",
        B,
        "Unspecified fracture of unspecified lumbar vertebra, initial encounter for closed fracture",
        [],
    ),
    ("T14.90", S, "Injury, unspecified", ["T1490XA", "T1490XD", "T1490XS"]),
    ("T14.90XA", B, "Injury, unspecified, initial encounter", []),
    ("W19", S, "Unspecified fall", ["W19XXXA", "W19XXXD", "W19XXXS"]),  # placeholder X x3
    ("W19.XXX", S, "Unspecified fall", ["W19XXXA", "W19XXXD", "W19XXXS"]),
    ("W19.XXXA", B, "Unspecified fall, initial encounter", []),
    ("X99.9XXA", B, "Assault by unspecified sharp object, initial encounter", []),
    ("Z99.99", U, None, []),
    ("M54.99", U, None, []),
    ("S33.5XA", U, None, []),  # one placeholder missing
    ("S33.5XXZ", U, None, []),  # no such 7th character
    ("M54.500", U, None, []),
]


@pytest.fixture(scope="module")
def index() -> Icd10Index:
    judged = default_code_sets().icd10.judge_day(dt.date(2026, 6, 1))
    assert judged.covered
    assert judged.release.info.name == "April 2026"
    return judged.release.index


def test_the_table_has_at_least_40_codes() -> None:
    assert len(TABLE) >= 40
    assert {row[1] for row in TABLE} == {B, H, S, U}


@pytest.mark.parametrize(("code", "status", "title", "children"), TABLE, ids=[row[0] for row in TABLE])
def test_code(
    index: Icd10Index, code: str, status: Icd10Status, title: str | None, children: list[str]
) -> None:
    assert index.status(code) is status
    assert index.title(code) == title
    if status is not B:
        assert index.billable_under(code)[: len(children)] == children


def test_release_counts_and_source(index: Icd10Index) -> None:
    assert index.counts() == (98186, 74719)
    assert index.source == "code-list-April-2026.txt + icd10c-tabular-April-1-2026.xml"
    assert index.tabular_version == "2026"
    assert len(index.sha256) == 64


def test_excludes1_pairs_carry_the_note(index: Icd10Index) -> None:
    assert index.excludes1_pairs(["M54.50", "M51.360", "M54.16"]) == [
        (
            "M5450",
            "M51360",
            "M545",
            "intervertebral disc degeneration, lumbar region with discogenic back pain only (M51.360)",
        )
    ]
    assert index.excludes1_pairs(["M47.816", "M54.16"]) == []
