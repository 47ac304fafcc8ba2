"""Billing and coding articles from the CMS Medicare Coverage Database "current article" CSV export.

Files read (by header name; other columns are ignored, a missing required column is refused with
the file, line 1 and the column's name):

* ``article.csv``                         article_id, article_version, title (+ a revision date)
* ``article_x_hcpc_code.csv``             article_id, article_version, hcpc_code_id, hcpc_code_group
* ``article_x_icd10_covered.csv``         article_id, article_version, icd10_code_id, icd10_covered_group
* ``article_x_icd10_covered_group.csv``   article_id, article_version, icd10_covered_group, paragraph
* ``article_x_icd10_noncovered.csv``      article_id, article_version, icd10_code_id, icd10_noncovered_group
* ``article_x_contractor.csv``            article_id, article_version, contractor_id

Only each article's newest version in the export is kept.  A group paragraph that says a code of
one group must be billed together with a code of another ("... must be billed with a code from
Group 2", "dual diagnosis: Group 1 and Group 2") becomes a *combination*; a paragraph that states a
requirement in words this parser does not know is kept as *unparsed* and listed by
``gateway codes status`` so a person reads it.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.errors import CodeSetError

ARTICLE = "article.csv"
HCPCS = "article_x_hcpc_code.csv"
COVERED = "article_x_icd10_covered.csv"
GROUPS = "article_x_icd10_covered_group.csv"
NONCOVERED = "article_x_icd10_noncovered.csv"
CONTRACTORS = "article_x_contractor.csv"
_IDS = ("article_id", "article_version")
_REQUIRED = {
    ARTICLE: (*_IDS, "title"),
    HCPCS: (*_IDS, "hcpc_code_id", "hcpc_code_group"),
    COVERED: (*_IDS, "icd10_code_id", "icd10_covered_group"),
    GROUPS: (*_IDS, "icd10_covered_group", "paragraph"),
    NONCOVERED: (*_IDS, "icd10_code_id"),
    CONTRACTORS: (*_IDS, "contractor_id"),
}
_DATE_COLUMNS = ("rev_eff_date", "revision_effective_date", "article_eff_date", "last_updated", "date")
_TAG = re.compile(r"<[^>]+>")
_GROUP = re.compile(r"\bgroup\s*(\d+)\b", re.IGNORECASE)
# "must be billed with", "must be reported with", "in combination with", "dual diagnosis",
# "along with", "both ... and": a paragraph naming two groups with one of these is a combination.
_TOGETHER = re.compile(
    r"(must|should|need to|needs to|required to|has to|have to)\s+be\s+(billed|reported|coded|used|submitted)"
    r"\s+(with|together with|along with|in combination with)|in combination with|dual diagnos|"
    r"along with a|both .{0,80} and",
    re.IGNORECASE,
)
_REQUIREMENT = re.compile(
    r"\b(must|required|requires|only|secondary|primary|dual|combination|both)\b", re.IGNORECASE
)


@dataclass
class Article:
    article: str  # 'A58403'
    version: int
    title: str
    revision: dt.date | None
    contractors: list[str] = field(default_factory=list)
    hcpcs: dict[str, list[str]] = field(default_factory=dict)  # group -> codes
    covered: dict[str, list[str]] = field(default_factory=dict)  # ICD-10 group -> codes (no dots)
    paragraphs: dict[str, str] = field(default_factory=dict)
    noncovered: list[str] = field(default_factory=list)
    combinations: list[tuple[str, str]] = field(default_factory=list)
    unparsed: list[tuple[str, str]] = field(default_factory=list)  # (group, paragraph)
    source: str = ""  # the export folder, set on import
    sha256: str = ""  # of the export's article*.csv files

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "version": self.version,
            "title": self.title,
            "revision": self.revision.isoformat() if self.revision else None,
            "contractors": self.contractors,
            "hcpcs": self.hcpcs,
            "covered": self.covered,
            "paragraphs": self.paragraphs,
            "noncovered": self.noncovered,
            "combinations": [list(pair) for pair in self.combinations],
            "unparsed": [list(item) for item in self.unparsed],
            "source": self.source,
            "sha256": self.sha256,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        return cls(
            article=data["article"],
            version=int(data["version"]),
            title=data["title"],
            revision=dt.date.fromisoformat(data["revision"]) if data.get("revision") else None,
            contractors=list(data.get("contractors", [])),
            hcpcs={k: list(v) for k, v in data.get("hcpcs", {}).items()},
            covered={k: list(v) for k, v in data.get("covered", {}).items()},
            paragraphs=dict(data.get("paragraphs", {})),
            noncovered=list(data.get("noncovered", [])),
            combinations=[(a, b) for a, b in data.get("combinations", [])],
            unparsed=[(a, b) for a, b in data.get("unparsed", [])],
            source=data.get("source", ""),
            sha256=data.get("sha256", ""),
        )

    @property
    def covered_cpt(self) -> frozenset[str]:
        """The article's covered CPT/HCPCS codes: HCPCS group 1 (later groups list non-covered codes)."""
        return frozenset(self.hcpcs.get("1", []))


def plain_text(paragraph: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", paragraph)).split())


def combination(paragraph: str, own_group: str) -> tuple[tuple[str, str] | None, bool]:
    """((group, other group), False) when the paragraph states a combination; (None, True) when it
    states some requirement this parser does not understand; (None, False) when it states none."""
    text = plain_text(paragraph)
    groups = list(dict.fromkeys(_GROUP.findall(text)))
    if _TOGETHER.search(text):
        others = [g for g in groups if g != own_group]
        if own_group in groups and len(others) == 1:
            return (own_group, others[0]), False
        if len(groups) == 2 and own_group not in groups:
            return (groups[0], groups[1]), False
        if len(groups) == 1 and groups[0] != own_group:
            return (own_group, groups[0]), False
        return None, True
    if groups and _REQUIREMENT.search(text) and any(g != own_group for g in groups):
        return None, True
    return None, False


def _icd(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _rows(folder: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    path = folder / name
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise CodeSetError(f"{path}: cannot read the MCD export file: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [column.strip().lower() for column in reader.fieldnames or []]
        for column in _REQUIRED[name]:
            if column not in header:
                raise CodeSetError(
                    f"{path}: line 1: expected a column named {column} (found: {', '.join(header) or 'no header'})"
                )
        reader.fieldnames = header
        try:
            for row in reader:
                if None in row:
                    raise CodeSetError(f"{path}: line {reader.line_num}: more cells than header columns")
                missing = [c for c in _REQUIRED[name] if row.get(c) is None]
                if missing:
                    raise CodeSetError(
                        f"{path}: line {reader.line_num}: column {missing[0]} is missing (truncated line?)"
                    )
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}
        except csv.Error as error:
            raise CodeSetError(f"{path}: line {reader.line_num}: not valid CSV ({error})") from None


def _key(path: Path, line: int, row: dict[str, str]) -> tuple[str, int]:
    number = row["article_id"].upper().lstrip("A")
    version = row["article_version"]
    if not number.isdigit() or not version.isdigit():
        raise CodeSetError(
            f"{path}: line {line}: columns article_id/article_version: expected numbers, "
            f"found {row['article_id'][:12]!r}/{version[:12]!r}"
        )
    return f"A{int(number):05d}", int(version)


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text[:19], pattern).date()
        except ValueError:
            continue
    return None


def read_export(folder: Path) -> list[Article]:
    """Every article of the export at its newest version; refused whole on the first bad file."""
    if not folder.is_dir():
        raise CodeSetError(f"{folder}: not a folder (expected the unpacked current-article CSV export)")
    articles: dict[str, Article] = {}
    for line, row in _rows(folder, ARTICLE):
        key, version = _key(folder / ARTICLE, line, row)
        known = articles.get(key)
        if known is not None and known.version >= version:
            continue
        revision = next((_date(row[c]) for c in _DATE_COLUMNS if row.get(c)), None)
        articles[key] = Article(key, version, row["title"], revision)

    def current(name: str) -> Iterator[tuple[Article, dict[str, str]]]:
        for line, row in _rows(folder, name):
            key, version = _key(folder / name, line, row)
            article = articles.get(key)
            if article is not None and article.version == version:
                yield article, row

    hcpcs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for article, row in current(HCPCS):
        hcpcs[article.article][row["hcpc_code_group"] or "1"].add(row["hcpc_code_id"].upper())
    covered: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for article, row in current(COVERED):
        covered[article.article][row["icd10_covered_group"] or "1"].add(_icd(row["icd10_code_id"]))
    for article, row in current(GROUPS):
        article.paragraphs[row["icd10_covered_group"] or "1"] = plain_text(row["paragraph"])
    for article, row in current(NONCOVERED):
        article.noncovered.append(_icd(row["icd10_code_id"]))
    for article, row in current(CONTRACTORS):
        article.contractors.append(row["contractor_id"])
    out = []
    for key, article in sorted(articles.items()):
        article.hcpcs = {group: sorted(codes) for group, codes in sorted(hcpcs[key].items())}
        article.covered = {group: sorted(codes) for group, codes in sorted(covered[key].items())}
        article.noncovered = sorted(set(article.noncovered))
        article.contractors = sorted(set(article.contractors))
        for group, paragraph in sorted(article.paragraphs.items()):
            pair, unknown = combination(paragraph, group)
            if pair is not None and pair not in article.combinations:
                article.combinations.append(pair)
            elif unknown:
                article.unparsed.append((group, paragraph))
        out.append(article)
    if not out:
        raise CodeSetError(f"{folder / ARTICLE}: no article rows")
    return out


@dataclass(frozen=True)
class LineDx:
    number: int
    code: str
    dx: tuple[str, ...]


def article_problems(article: Article, line: LineDx) -> list[tuple[str, str]]:
    """(message, fix) for one service line under one article (empty: covered)."""
    if line.code not in article.covered_cpt or not article.covered:
        return []
    label = f"{article.article} v{article.version}"
    problems: list[tuple[str, str]] = []
    listed = [code for code in line.dx if code in article.noncovered]
    for code in listed:
        problems.append(
            (
                f"{code} on line {line.number} is on the non-covered ICD-10 list of {label} for {line.code}.",
                "point the line to a covered diagnosis if the record supports one",
            )
        )
    in_group = {group: [c for c in line.dx if c in set(codes)] for group, codes in article.covered.items()}
    combos = [(a, b) for a, b in article.combinations if a in article.covered and b in article.covered]
    paired = {a for a, _ in combos}
    for first, second in combos:
        if in_group[first] and not in_group[second]:
            problems.append(
                (
                    (
                        f"Line {line.number} ({line.code}) has {in_group[first][0]} of group {first} of {label}, which "
                        f"must be billed with a code of group {second}; none is pointed to."
                    ),
                    f"point the line also to a group {second} code of {label} if the record supports one",
                )
            )
    single = [g for g in article.covered if g not in {b for _, b in combos} and g not in paired]
    alone_ok = any(in_group[g] for g in single) or any(in_group[a] and in_group[b] for a, b in combos)
    if not alone_ok and not any(in_group[a] for a in paired):
        problems.append(
            (
                (
                    f"None of the diagnoses on line {line.number} ({', '.join(line.dx)}) is on the covered ICD-10 "
                    f"list of {label} for {line.code}."
                ),
                "point the line to a covered diagnosis if the record supports one",
            )
        )
    return problems


def in_force(versions: Sequence[Article], day: dt.date) -> Article | None:
    """The newest version revised on or before ``day`` (a version without a date counts as always)."""
    chosen: Article | None = None
    for version in versions:
        if version.revision is not None and version.revision > day:
            continue
        if chosen is None or version.version > chosen.version:
            chosen = version
    return chosen
