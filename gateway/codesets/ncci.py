"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE), practitioner files.

Layouts (CMS quarterly files; see docs/code_sets.md):

* PTP ``ccipra-vNNNrN-fK.txt``: a few notice lines, then a tab-delimited header row ``Column 1``,
  ``Column 2``, ``* = In existence prior to 1996``, ``Effective Date``, ``Deletion Date``,
  ``Modifier``, ``PTP Edit Rationale``; dates are YYYYMMDD, a deletion date ``*`` means none, the
  modifier indicator is 0 (never bypassed), 1 (bypassed by an NCCI-associated modifier) or 9 (not
  applicable: the edit is not applied).
* MUE ``MCR_MUE_PractitionerServices_Eff_MM-DD-YYYY.csv``: AMA copyright notice rows, then the
  header ``HCPCS/CPT Code, Practitioner Services MUE Values, MUE Adjudication Indicator, MUE
  Rationale``; the indicator text starts with its digit (``2 Date of Service Edit: Policy``).

A file whose header is missing, or a row with a missing or malformed column (a truncated last
line included), is refused with the file, the line and the column expected; nothing is stored.

How the edits are applied (``ncci_findings``):

* PTP: on one date of service, a column-2 code billed with its column-1 code holds the claim,
  unless the edit's modifier indicator is 1 and either line carries 59, XE, XS, XP or XU.  An
  indicator-0 edit is never bypassed; indicator 9 is not applied.  An edit applies to a date on
  or after its effective date and before its deletion date.
* MUE: MAI 1 compares each line's units with the value; MAI 2 and 3 add the units of all lines
  of the code on one date of service.  A line with modifier 50 counts as the units billed on it:
  CMS has bilateral procedures reported on one line with 50 and one unit, and the MUE value of
  such a code is set for that one unit (NCCI Policy Manual, ch. I, MUE; a payer that wants two
  lines RT/LT gets two lines counted).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from gateway.domain.codes import PROCEDURE_RE
from gateway.errors import CodeSetError

BYPASS_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
PTP_COLUMNS = (
    ("Column 1", ("column 1", "column1")),
    ("Column 2", ("column 2", "column2")),
    ("* = In existence prior to 1996", ("1996", "existence")),
    ("Effective Date", ("effective",)),
    ("Deletion Date", ("deletion",)),
    ("Modifier", ("modifier",)),
    ("PTP Edit Rationale", ("rationale",)),
)
MUE_COLUMNS = (
    ("HCPCS/CPT Code", ("hcpcs", "cpt")),
    ("Practitioner Services MUE Values", ("mue value",)),
    ("MUE Adjudication Indicator", ("adjudication indicator",)),
    ("MUE Rationale", ("rationale",)),
)
_NOTICE_LINES = 40
_VERSION = re.compile(r"v(\d{2})(\d)r(\d)", re.IGNORECASE)
_MUE_DATE = re.compile(r"Eff_(\d{2})-(\d{2})-(\d{4})", re.IGNORECASE)
_MAI = re.compile(r"^([123])\b\s*(.*)$")


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    effective: dt.date
    deletion: dt.date | None
    modifier_indicator: int
    rationale: str

    def applies_on(self, day: dt.date) -> bool:
        return (
            self.modifier_indicator != 9
            and self.effective <= day
            and (self.deletion is None or day < self.deletion)
        )


@dataclass(frozen=True, slots=True)
class MueValue:
    code: str
    value: int
    mai: int
    mai_text: str
    rationale: str


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_name(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(day: dt.date) -> dt.date:
    start = quarter_start(day)
    month = start.month + 3
    year = start.year + (month > 12)
    return dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


def ptp_effective_from_name(name: str) -> dt.date | None:
    """'ccipra-v323r0-f1.txt' -> 2026-10-01 (version 32 = 2026; .0 January ... .3 October)."""
    match = _VERSION.search(name)
    if match is None:
        return None
    major, minor = int(match.group(1)), int(match.group(2))
    if minor > 3:
        return None
    return dt.date(1994 + major, 1 + 3 * minor, 1)


def mue_effective_from_name(name: str) -> dt.date | None:
    match = _MUE_DATE.search(name)
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _norm(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).lower()


def _is_header(cells: Sequence[str], columns: Sequence[tuple[str, tuple[str, ...]]]) -> bool:
    if len(cells) < len(columns):
        return False
    return all(
        any(word in _norm(cell) for word in words) for cell, (_, words) in zip(cells, columns, strict=False)
    )


def _expect_header(
    path: Path, rows: Iterator[tuple[int, list[str]]], columns: Sequence[tuple[str, tuple[str, ...]]]
) -> None:
    last = 0
    for number, cells in rows:
        last = number
        if _is_header(cells, columns):
            return
        if number >= _NOTICE_LINES:
            break
    names = ", ".join(name for name, _ in columns)
    raise CodeSetError(f"{path}: line {max(last, 1)}: no header row found; expected the columns {names}")


def _date(path: Path, number: int, column: int, name: str, text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        raise CodeSetError(
            f"{path}: line {number}: column {column} ({name}): expected a date YYYYMMDD, found {text.strip()[:12]!r}"
        ) from None


def _code(path: Path, number: int, column: int, name: str, text: str) -> str:
    code = text.strip().upper()
    if not PROCEDURE_RE.fullmatch(code):
        raise CodeSetError(
            f"{path}: line {number}: column {column} ({name}): expected a CPT/HCPCS code, found {code[:12]!r}"
        )
    return code


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line.rstrip("\r\n")
    except OSError as error:
        raise CodeSetError(f"{path}: cannot read: {error.strerror}") from None


def read_ptp(path: Path) -> list[PtpEdit]:
    """Every edit of one PTP practitioner file (tab-delimited text)."""
    rows = ((number, line.split("\t")) for number, line in _read_lines(path))
    _expect_header(path, rows, PTP_COLUMNS)
    edits: list[PtpEdit] = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < 6:
            raise CodeSetError(
                f"{path}: line {number}: column {len(cells) + 1} ({PTP_COLUMNS[len(cells)][0]}) is missing "
                "(truncated line?)"
            )
        column1 = _code(path, number, 1, "Column 1", cells[0])
        column2 = _code(path, number, 2, "Column 2", cells[1])
        if cells[2].strip() not in ("", "*"):
            raise CodeSetError(
                f"{path}: line {number}: column 3 (* = In existence prior to 1996): expected '*' or empty, "
                f"found {cells[2].strip()[:12]!r}"
            )
        effective = _date(path, number, 4, "Effective Date", cells[3])
        deletion_text = cells[4].strip()
        deletion = None if deletion_text == "*" else _date(path, number, 5, "Deletion Date", deletion_text)
        indicator = cells[5].strip()
        if indicator not in ("0", "1", "9"):
            raise CodeSetError(
                f"{path}: line {number}: column 6 (Modifier): expected 0, 1 or 9, found {indicator[:12]!r}"
            )
        rationale = cells[6].strip() if len(cells) > 6 else ""
        edits.append(PtpEdit(column1, column2, effective, deletion, int(indicator), rationale))
    if not edits:
        raise CodeSetError(f"{path}: no edit rows after the header (truncated file?)")
    return edits


def read_mue(path: Path) -> list[MueValue]:
    """Every value of one MUE practitioner file (CSV, AMA notice rows first)."""
    try:
        handle = path.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as error:
        raise CodeSetError(f"{path}: cannot read: {error.strerror}") from None
    with handle:
        reader = csv.reader(handle)

        def numbered() -> Iterator[tuple[int, list[str]]]:
            try:
                for cells in reader:
                    yield reader.line_num, cells
            except csv.Error as error:
                raise CodeSetError(f"{path}: line {reader.line_num}: not valid CSV ({error})") from None

        rows = numbered()
        _expect_header(path, rows, MUE_COLUMNS)
        values: list[MueValue] = []
        for number, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < 3:
                raise CodeSetError(
                    f"{path}: line {number}: column {len(cells) + 1} ({MUE_COLUMNS[len(cells)][0]}) is missing "
                    "(truncated line?)"
                )
            code = _code(path, number, 1, MUE_COLUMNS[0][0], cells[0])
            text = cells[1].strip()
            if not text.isdigit():
                raise CodeSetError(
                    f"{path}: line {number}: column 2 ({MUE_COLUMNS[1][0]}): expected a whole number, "
                    f"found {text[:12]!r}"
                )
            match = _MAI.match(cells[2].strip())
            if match is None:
                raise CodeSetError(
                    f"{path}: line {number}: column 3 ({MUE_COLUMNS[2][0]}): expected '1 Line Edit', "
                    f"'2 Date of Service Edit: Policy' or '3 Date of Service Edit: Clinical', "
                    f"found {cells[2].strip()[:30]!r}"
                )
            rationale = cells[3].strip() if len(cells) > 3 else ""
            values.append(MueValue(code, int(text), int(match.group(1)), cells[2].strip(), rationale))
    if not values:
        raise CodeSetError(f"{path}: no MUE rows after the header (truncated file?)")
    return values


@dataclass(frozen=True, slots=True)
class LineView:
    """What the NCCI edits look at on a service line."""

    number: int
    code: str
    modifiers: frozenset[str]
    units: Decimal
    date: dt.date


@dataclass(frozen=True, slots=True)
class NcciHit:
    """One edit that fires: ``line`` is the line to fix; ``message`` and ``fix`` are the finding's."""

    kind: str  # "ptp" or "mue"
    line: int
    message: str
    fix: str
    source: str


def ptp_hits(lines: Sequence[LineView], edits: Sequence[PtpEdit], source: str) -> list[NcciHit]:
    by_day: dict[dt.date, list[LineView]] = defaultdict(list)
    for line in lines:
        by_day[line.date].append(line)
    hits: list[NcciHit] = []
    for day, day_lines in sorted(by_day.items()):
        codes = {line.code for line in day_lines}
        for edit in edits:
            if edit.column1 not in codes or edit.column2 not in codes or not edit.applies_on(day):
                continue
            first = [line for line in day_lines if line.code == edit.column1]
            second = [line for line in day_lines if line.code == edit.column2]
            why = f" ({edit.rationale})" if edit.rationale else ""
            for line in second:
                if edit.modifier_indicator == 1 and any(
                    (other.modifiers | line.modifiers) & BYPASS_MODIFIERS for other in first
                ):
                    continue
                if edit.modifier_indicator == 0:
                    message = (
                        f"{edit.column2} is bundled into {edit.column1} on {day} (NCCI PTP{why}, modifier "
                        "indicator 0: never paid together, no modifier bypasses it)."
                    )
                    fix = f"remove {edit.column2}, or bill it on another date if it was done separately"
                else:
                    message = (
                        f"{edit.column2} with {edit.column1} on {day} is an NCCI PTP pair{why}; it is paid "
                        "only as a distinct service (modifier indicator 1)."
                    )
                    fix = (
                        "add XE, XS, XP or XU (59 only when none fits) when the record shows a separate "
                        "encounter, structure, practitioner or non-overlapping service"
                    )
                hits.append(NcciHit("ptp", line.number, message, fix, source))
    return hits


def mue_hits(lines: Sequence[LineView], values: Sequence[MueValue], source: str) -> list[NcciHit]:
    by_code = {value.code: value for value in values}
    hits: list[NcciHit] = []
    per_day: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    last_line: dict[tuple[dt.date, str], int] = {}
    for line in lines:
        value = by_code.get(line.code)
        if value is None:
            continue
        if value.mai == 1:
            if line.units > value.value:
                hits.append(
                    NcciHit(
                        "mue",
                        line.number,
                        f"{line.code} is billed with {line.units:g} units on one line; the MUE is "
                        f"{value.value} (MAI {value.mai_text}).",
                        f"bill at most {value.value} unit(s) on the line",
                        source,
                    )
                )
            continue
        key = (line.date, line.code)
        per_day[key] += line.units
        last_line[key] = line.number
    for (day, code), units in sorted(per_day.items()):
        value = by_code[code]
        if units > value.value:
            hits.append(
                NcciHit(
                    "mue",
                    last_line[(day, code)],
                    f"{code} adds up to {units:g} units on {day}; the MUE per date of service is "
                    f"{value.value} (MAI {value.mai_text}).",
                    f"bill at most {value.value} unit(s) of {code} per day",
                    source,
                )
            )
    return hits


def codes_of(lines: Sequence[LineView]) -> Collection[str]:
    return {line.code for line in lines}
