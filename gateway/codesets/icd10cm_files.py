"""Read an ICD-10-CM release from the publisher's files into an ``Icd10Index``.

Two files make a release, as the CDC/NCHS publishes them and as ``simple-icd-10-cm`` ships them:

* the **code list** says which codes exist.  Three layouts are accepted, told apart by the first
  line: simple-icd-10-cm's ``code-list-*.txt`` (one code per line, chapters and blocks included),
  the CDC ``icd10cm-codes-YYYY.txt`` (billable codes only: code padded to 8, then the title) and
  the CDC ``icd10cm-order-YYYY.txt`` (order number, code, header flag 0/1, short and long title);
* the **tabular XML** (``icd10cm-tabular-YYYY.xml``) gives the hierarchy, the titles, the
  Excludes1 notes and the 7th-character definitions.  It is read with lxml's ``iterparse`` so a
  new release never needs the whole tree in memory.

A code is billable when the code list says so (order file flag 1) or, for the plain lists, when
it exists and no other listed code extends it.  Every other tabular code is a header, or needs a
7th character when a ``sevenChrDef`` of the code or one of its ancestors applies to it.

A file that is not in one of these layouts is refused with the file, the line and what was
expected there (``CodeSetError``), before anything is stored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gateway.codesets.icd10cm import Icd10Index, IndexParts
from gateway.errors import CodeSetError

_CODE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")
_BLOCK = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z]-[A-Z][0-9A-Z][0-9A-Z]$")
_CHAPTER = re.compile(r"^[0-9]{1,2}$")
_ORDER = re.compile(r"^([0-9]{5}) ([A-Z][0-9A-Z][0-9A-Z][0-9A-Z ]{4}) ([01]) (.{60}) (.*)$")
_CDC_CODES = re.compile(r"^([A-Z][0-9A-Z][0-9A-Z][0-9A-Z]{0,4}) +(\S.*)$")
# A code named in an Excludes1 note: "(M51.2-)", "(S39.012)", "(M54.4-)", "(A00-A09)" ranges are skipped.
_NOTE_CODE = re.compile(r"(?<![A-Z0-9.])([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(-?)(?![0-9A-Z])")


def sha256_of(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass
class CodeList:
    """What the code list file says: every code that exists, and which are billable."""

    layout: str
    existing: set[str] = field(default_factory=set)
    billable: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)
    flags_given: bool = False


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline=None) as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line.rstrip("\r\n")
    except OSError as error:
        raise CodeSetError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise CodeSetError(f"{path}: not UTF-8 text (byte {error.start})") from None


def read_code_list(path: Path) -> CodeList:
    rows = [(number, line) for number, line in _lines(path) if line.strip()]
    if not rows:
        raise CodeSetError(f"{path}: line 1: empty file; expected an ICD-10-CM code list")
    first = rows[0][1]
    if _ORDER.match(first):
        layout = "cdc-order"
    elif _CDC_CODES.match(first):
        layout = "cdc-codes"
    elif _CHAPTER.match(first.strip()) or _CODE.match(first.strip()) or _BLOCK.match(first.strip()):
        layout = "code-list"
    else:
        raise CodeSetError(
            f"{path}: line {rows[0][0]}: column 1: expected an ICD-10-CM code (code list, CDC codes "
            f"file) or a 5-digit order number (CDC order file), found {first[:20]!r}"
        )
    out = CodeList(layout=layout, flags_given=layout != "code-list")
    for number, line in rows:
        if layout == "cdc-order":
            match = _ORDER.match(line)
            if match is None:
                raise CodeSetError(
                    f"{path}: line {number}: expected the CDC order layout (order number, code padded "
                    "to 7, header flag 0/1, 60-character short title, long title)"
                )
            code = match.group(2).strip()
            out.existing.add(code)
            out.titles[code] = match.group(5).strip()
            if match.group(3) == "1":
                out.billable.add(code)
        elif layout == "cdc-codes":
            match = _CDC_CODES.match(line)
            if match is None or len(line) < 9:
                raise CodeSetError(
                    f"{path}: line {number}: expected the CDC codes layout (code without dot padded "
                    "to 8 characters, then its title)"
                )
            code = match.group(1)
            out.existing.add(code)
            out.billable.add(code)
            out.titles[code] = match.group(2).strip()
        else:
            token = line.split(" ")[0].strip()
            if _CHAPTER.match(token) or _BLOCK.match(token):
                continue
            if not _CODE.match(token):
                raise CodeSetError(
                    f"{path}: line {number}: column 1: expected an ICD-10-CM code, a chapter number or "
                    f"a block such as A00-A09, found {token[:20]!r}"
                )
            out.existing.add(token.replace(".", ""))
    if layout == "code-list":
        ordered = sorted(out.existing)
        # A listed code is billable when no listed code extends it; sorted order puts a code's
        # extensions right after it.
        for index, code in enumerate(ordered):
            following = ordered[index + 1] if index + 1 < len(ordered) else ""
            if not following.startswith(code):
                out.billable.add(code)
    return out


@dataclass
class _Diag:
    code: str = ""
    title: str = ""
    seventh: dict[str, str] | None = None
    has_child: bool = False


@dataclass
class Tabular:
    version: str
    codes: dict[str, str]  # code without dot -> title, every <diag>
    leaves: set[str]  # diags without child diags
    seventh: dict[str, dict[str, str]]  # code -> 7th character -> meaning (inherited)
    excludes1: dict[str, list[tuple[str, tuple[str, ...]]]]


def _note_targets(note: str) -> tuple[str, ...]:
    """Codes (without dots) an Excludes1 note names; a trailing '-' or a category means 'and below'."""
    found = []
    for code, _dash in _NOTE_CODE.findall(note):
        found.append(code.replace(".", ""))
    return tuple(dict.fromkeys(found))


def read_tabular(path: Path) -> Tabular:
    """Parse the tabular XML with ``iterparse``; refuse a file that is not an ICD-10-CM tabular."""
    codes: dict[str, str] = {}
    leaves: set[str] = set()
    seventh: dict[str, dict[str, str]] = {}
    excludes1: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    version = ""
    stack: list[_Diag] = []
    in_excludes1 = False
    in_seven = False
    pending_seven: dict[str, str] = {}
    root_checked = False
    try:
        for event, element in etree.iterparse(str(path), events=("start", "end"), resolve_entities=False):
            tag = element.tag
            if not root_checked:
                root_checked = True
                if tag != "ICD10CM.tabular":
                    raise CodeSetError(
                        f"{path}: line {element.sourceline}: expected the root element <ICD10CM.tabular>, "
                        f"found <{tag}>"
                    )
            if event == "start":
                if tag == "diag":
                    if stack:
                        stack[-1].has_child = True
                    inherited = stack[-1].seventh if stack else None
                    stack.append(_Diag(seventh=inherited))
                elif tag == "excludes1":
                    in_excludes1 = True
                elif tag == "sevenChrDef":
                    in_seven = True
                    pending_seven = {}
                continue
            # end events
            parent = element.getparent()
            parent_tag = parent.tag if parent is not None else None
            if tag == "version" and parent_tag == "ICD10CM.tabular":
                version = (element.text or "").strip()
            elif tag == "name" and parent_tag == "diag" and stack:
                code = (element.text or "").strip()
                if not _CODE.match(code):
                    raise CodeSetError(
                        f"{path}: line {element.sourceline}: <diag><name> expected an ICD-10-CM code, "
                        f"found {code[:20]!r}"
                    )
                stack[-1].code = code.replace(".", "")
            elif tag == "desc" and parent_tag == "diag" and stack:
                stack[-1].title = " ".join((element.text or "").split())
            elif tag == "note" and in_excludes1 and stack and stack[-1].code:
                text = " ".join((element.text or "").split())
                excludes1.setdefault(stack[-1].code, []).append((text, _note_targets(text)))
            elif tag == "excludes1":
                in_excludes1 = False
            elif tag == "extension" and in_seven:
                pending_seven[element.get("char", "")] = " ".join((element.text or "").split())
            elif tag == "sevenChrDef":
                in_seven = False
                if stack:
                    stack[-1].seventh = dict(pending_seven)
            elif tag == "diag" and stack:
                diag = stack.pop()
                if not diag.code:
                    raise CodeSetError(f"{path}: line {element.sourceline}: <diag> without <name>")
                codes[diag.code] = diag.title
                if not diag.has_child:
                    leaves.add(diag.code)
                if diag.seventh:
                    seventh[diag.code] = diag.seventh
                element.clear(keep_tail=False)
            elif tag == "chapter":
                element.clear(keep_tail=False)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else "?"
        raise CodeSetError(f"{path}: line {line}: not well-formed XML ({error.msg})") from None
    except OSError as error:
        raise CodeSetError(f"{path}: cannot read: {error.strerror or error}") from None
    if not root_checked:
        raise CodeSetError(f"{path}: line 1: empty file; expected the ICD-10-CM tabular XML")
    if stack or not codes:
        raise CodeSetError(f"{path}: the tabular list ends early (truncated file?): no complete <diag> tree")
    return Tabular(version=version, codes=codes, leaves=leaves, seventh=seventh, excludes1=excludes1)


def build_index(
    release: str, code_list: CodeList, tabular: Tabular, *, source: str, sha256: str
) -> Icd10Index:
    """Combine the two files into the compact index the lookups use."""
    billable = set(code_list.billable)
    titles: dict[str, str] = {}
    for code, title in tabular.codes.items():
        titles[code] = title
    needs_seventh: set[str] = set()
    for code in tabular.leaves:
        definition = tabular.seventh.get(code)
        if definition and code not in billable:
            needs_seventh.add(code)
            base = code.ljust(6, "X")
            for char, meaning in definition.items():
                full = base + char
                if full in code_list.existing or full in billable:
                    billable.add(full)
                    titles.setdefault(full, f"{tabular.codes[code]}, {meaning}")
    for code, title in code_list.titles.items():
        titles[code] = title  # the code file's own long title wins (it is the billing title)
    headers = {code for code in tabular.codes if code not in billable and code not in needs_seventh}
    missing = [code for code in billable if code not in titles]
    for code in missing:
        titles[code] = ""
    excludes1 = {
        code: tuple((note, targets) for note, targets in notes if targets)
        for code, notes in tabular.excludes1.items()
    }
    parts = IndexParts(
        release=release,
        source=source,
        sha256=sha256,
        tabular_version=tabular.version,
        billable=tuple(sorted(billable)),
        headers=tuple(sorted(headers)),
        needs_seventh=tuple(sorted(needs_seventh)),
        titles=titles,
        excludes1={code: notes for code, notes in excludes1.items() if notes},
    )
    if not parts.billable:
        raise CodeSetError(f"{source}: no billable code found; is the code list the right file?")
    return Icd10Index.from_parts(parts)


def load_release(release: str, codes_file: Path, tabular_file: Path) -> Icd10Index:
    code_list = read_code_list(codes_file)
    tabular = read_tabular(tabular_file)
    source = f"{codes_file.name} + {tabular_file.name}"
    return build_index(release, code_list, tabular, source=source, sha256=sha256_of(codes_file, tabular_file))
