"""An 837P batch cut into complete sub-files for the pyx12 gate, and the findings mapped back.

pyx12 walks about 3 ms per claim on one core.  A batch is cut between 2000B subscriber loops
(never inside one, so every loop count pyx12 checks is the same as in the whole file) into
parts that each are a valid interchange of their own: the batch's ISA and GS, then for every
transaction set the part touches its ST, its header (BHT, 1000A, 1000B), the 2000A billing
provider loop of each subscriber (repeated in every part that has its subscribers), the 2000B
loops themselves with their hierarchical numbers renumbered from 1, a recounted SE, then GE
and IEA.  Each part records, for every one of its segments, the segment number it has in the
batch, so a finding maps back to the batch's segment number (and so to its claim).

What a part cannot see is checked on the batch before it is cut: one interchange with one
group, control numbers that match, GE and IEA counts, SE counts, distinct ST02s, and HL
numbers that run 1, 2, 3 with each parent the level above.  A batch that fails any of these
(or any other shape we do not cut, such as segments broken over lines) is not cut:
``plan_parts`` returns None and the caller gates the whole file in one walk, which reports
those problems exactly as before.

Findings on segments that several parts repeat (ISA, GS, ST, header, 2000A, SE, GE, IEA) are
taken from the first part that has the segment, so each is reported once, in the batch's
order: interchange, group, then per transaction set its own findings and its segments' in
segment order (the order of the one-walk gate).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from gateway.x12.gate import GateIssue

ISA_LENGTH = 106
LEVEL_PROVIDER, LEVEL_SUBSCRIBER, LEVEL_PATIENT = "20", "22", "23"


@dataclass(frozen=True)
class Part:
    """One sub-file: its text and, per segment (0-based), the 1-based segment number in the batch."""

    text: str
    origin: list[int]
    shared: frozenset[int]  # batch segment numbers that other parts repeat
    transactions: list[int]  # batch segment number of each ST in this part


@dataclass
class _Unit:
    """A 2000B loop with its 2000C children and claims: the smallest piece a part can take."""

    provider: int  # index into the transaction's provider blocks
    first: int  # 0-based position of its first segment in the batch's segment list
    end: int  # one past its last segment
    hls: list[int]  # positions of its HL segments: the 2000B's, then its 2000Cs'


@dataclass
class _Transaction:
    st: int  # 0-based position of ST
    se: int  # 0-based position of SE
    header_end: int  # first HL
    providers: list[tuple[int, int]]  # 2000A blocks: (first, end) up to the first 2000B
    units: list[_Unit]


def plan_parts(text: str, parts: int) -> list[Part] | None:
    """``text`` cut into at most ``parts`` sub-files; None when it should be gated whole."""
    if parts < 2 or len(text) < ISA_LENGTH or not text.startswith("ISA"):
        return None
    element, terminator = text[3], text[ISA_LENGTH - 1]
    if "\n" in text or "\r" in text:
        return None  # segments on lines: not the layout we build, so not worth a second code path
    segments = text.split(terminator)
    if segments[-1] != "":
        return None
    segments.pop()
    ids = [segment.split(element, 1)[0] for segment in segments]
    transactions = _transactions(segments, ids, element)
    if transactions is None:
        return None
    units = [(t, u) for t in transactions for u in t.units]
    if len(units) < 2:
        return None
    return [_part(segments, element, terminator, chunk) for chunk in _balanced(units, parts)]


def _transactions(segments: list[str], ids: list[str], element: str) -> list[_Transaction] | None:
    """The batch's transaction sets, or None if its envelope or HL skeleton is not sound."""
    if ids[:2] != ["ISA", "GS"] or ids[-2:] != ["GE", "IEA"] or ids.count("ISA") != 1 or ids.count("GS") != 1:
        return None
    isa, gs, ge, iea = (segments[i].split(element) for i in (0, 1, -2, -1))
    if len(isa) != 17 or len(gs) != 9 or len(ge) != 3 or len(iea) != 3:
        return None
    if iea[1] != "1" or iea[2] != isa[13] or ge[2] != gs[6]:
        return None
    transactions: list[_Transaction] = []
    control_numbers: set[str] = set()
    position, last = 2, len(segments) - 2
    while position < last:
        if ids[position] != "ST":
            return None
        try:
            se = ids.index("SE", position, last)
        except ValueError:
            return None
        st_row, se_row = segments[position].split(element), segments[se].split(element)
        if len(st_row) < 3 or len(se_row) != 3 or se_row[2] != st_row[2] or st_row[2] in control_numbers:
            return None
        if se_row[1] != str(se - position + 1) or "ST" in ids[position + 1 : se]:
            return None
        control_numbers.add(st_row[2])
        transaction = _hierarchy(segments, ids, element, position, se)
        if transaction is None:
            return None
        transactions.append(transaction)
        position = se + 1
    if not transactions or ge[1] != str(len(transactions)):
        return None
    return transactions


def _hierarchy(segments: list[str], ids: list[str], element: str, st: int, se: int) -> _Transaction | None:
    """2000A blocks and 2000B units of one transaction set, with HL numbers checked as pyx12 counts
    them: 1, 2, 3 ... and each parent the loop one level up (so renumbering a part keeps them sound)."""
    hls = [n for n in range(st + 1, se) if ids[n] == "HL"]
    if not hls:
        return None
    transaction = _Transaction(st, se, hls[0], [], [])
    provider_hl = subscriber_hl = ""
    for count, position in enumerate(hls, start=1):
        row = segments[position].split(element)
        if len(row) < 4 or row[1] != str(count):
            return None
        level, parent = row[3], row[2]
        end = hls[count] if count < len(hls) else se
        if level == LEVEL_PROVIDER and parent == "":
            provider_hl, subscriber_hl = row[1], ""
            transaction.providers.append((position, end))
        elif level == LEVEL_SUBSCRIBER and parent == provider_hl and provider_hl:
            subscriber_hl = row[1]
            transaction.units.append(_Unit(len(transaction.providers) - 1, position, end, [position]))
        elif level == LEVEL_PATIENT and parent == subscriber_hl and subscriber_hl:
            transaction.units[-1].end = end
            transaction.units[-1].hls.append(position)
        else:
            return None
    return transaction


def _balanced(units: list[tuple[_Transaction, _Unit]], parts: int) -> list[list[tuple[_Transaction, _Unit]]]:
    """Consecutive runs of units with about the same number of segments each."""
    total = sum(unit.end - unit.first for _t, unit in units)
    target = total / min(parts, len(units))
    chunks: list[list[tuple[_Transaction, _Unit]]] = [[]]
    size = 0
    for item in units:
        if size >= target and len(chunks) < parts:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += item[1].end - item[1].first
    return chunks


def _part(
    segments: list[str], element: str, terminator: str, chunk: list[tuple[_Transaction, _Unit]]
) -> Part:
    out: list[str] = []
    origin: list[int] = []
    shared: set[int] = set()
    starts: list[int] = []

    def take(position: int, text: str | None = None, *, repeated: bool) -> None:
        out.append(segments[position] if text is None else text)
        origin.append(position + 1)
        if repeated:
            shared.add(position + 1)

    def close(transaction: _Transaction) -> None:
        control = segments[transaction.se].split(element)[2]
        take(transaction.se, element.join(["SE", str(len(out) - st_at + 1), control]), repeated=True)

    take(0, repeated=True)
    take(1, repeated=True)
    transactions = 0
    current: _Transaction | None = None
    provider = -1
    hl = provider_hl = subscriber_hl = 0
    st_at = 0
    for transaction, unit in chunk:
        if transaction is not current:
            if current is not None:
                close(current)
            current, provider, hl = transaction, -1, 0
            transactions += 1
            st_at = len(out)
            starts.append(transaction.st + 1)
            for position in range(transaction.st, transaction.header_end):
                take(position, repeated=True)
        if unit.provider != provider:
            provider = unit.provider
            first, end = transaction.providers[provider]
            hl += 1
            provider_hl = hl
            take(first, _hl(segments[first], element, hl, ""), repeated=True)
            for position in range(first + 1, end):
                take(position, repeated=True)
        # The unit's segments in one slice (most of a part's segments), then its HLs renumbered.
        at = len(out) - unit.first
        out.extend(segments[unit.first : unit.end])
        origin.extend(range(unit.first + 1, unit.end + 1))
        for position in unit.hls:
            hl += 1
            if position == unit.first:  # the 2000B
                subscriber_hl = hl
                out[at + position] = _hl(segments[position], element, hl, str(provider_hl))
            else:
                out[at + position] = _hl(segments[position], element, hl, str(subscriber_hl))
    assert current is not None
    close(current)
    take(
        len(segments) - 2,
        element.join(["GE", str(transactions), segments[-2].split(element)[2]]),
        repeated=True,
    )
    take(len(segments) - 1, repeated=True)
    return Part(terminator.join(out) + terminator, origin, frozenset(shared), starts)


def _hl(segment: str, element: str, number: int, parent: str) -> str:
    row = segment.split(element)
    row[1], row[2] = str(number), parent
    return element.join(row)


def merge(parts: list[Part], results: list[list[GateIssue]]) -> list[GateIssue] | None:
    """The parts' findings as the one-walk gate reports them for the batch (None: cannot map)."""
    owner: dict[int, int] = {}  # a repeated segment's findings come from the first part that has it
    for number, part in enumerate(parts):
        for line in part.shared:
            owner.setdefault(line, number)
    transaction_starts = sorted({st for part in parts for st in part.transactions})
    keyed: list[tuple[tuple[int, int, int], GateIssue]] = []
    for number, (part, issues) in enumerate(zip(parts, results, strict=True)):
        for issue in issues:
            if issue.segment_index is None or not 0 < issue.segment_index <= len(part.origin):
                return None
            line = part.origin[issue.segment_index - 1]
            if owner.get(line, number) != number:
                continue
            order = _order(issue.level, line, transaction_starts)
            keyed.append((order, dataclasses.replace(issue, segment_index=line)))
    keyed.sort(key=lambda pair: pair[0])  # stable: one segment's findings keep pyx12's order
    return [issue for _order_key, issue in keyed]


def _order(level: str, line: int, transaction_starts: list[int]) -> tuple[int, int, int]:
    if level == "isa":
        return (0, 0, 0)
    if level == "gs":
        return (1, 0, 0)
    number = sum(1 for start in transaction_starts if start <= line)
    return (2 + number, 0 if level == "st" else 1, line)


def claim_of_segments(text: str) -> list[str | None]:
    """Per segment of an 837P (index = segment number - 1): the CLM01 of the claim it belongs to,
    None outside claims (envelope, header, 2000A/2000B/2000C party loops)."""
    element, terminator = text[3], text[ISA_LENGTH - 1]
    owners: list[str | None] = []
    current: str | None = None
    for segment in text.split(terminator):
        segment = segment.strip("\r\n")
        if not segment:
            continue
        segment_id, _, rest = segment.partition(element)
        if segment_id == "CLM":
            current = rest.split(element, 1)[0]
        elif segment_id in ("HL", "SE"):
            current = None
        owners.append(current)
    return owners
