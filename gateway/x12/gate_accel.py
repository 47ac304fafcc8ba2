"""pyx12's walk made cheaper without changing one finding (used by ``gate._walk``).

Profiling pyx12 4.0.0's walk of a 1,000-claim 837P (about 4 ms a claim) showed most of the time
going to work whose answer never changes within a walk:

* the walker's loop/segment counter (``NodeCounter``) keys its dict by ``X12Path`` objects whose
  hash formats the whole path string on every lookup, and ``reset_to_node`` formats and splits
  every key each time a loop is entered (about a third of the walk);
* every element lookup (``Segment.get("02")``) parses the reference designator into an
  ``X12Path`` with a regex, again and again for the same few dozen strings;
* element validation (length, control characters, code lists, data type, regex) is a pure
  function of the map node and the value, and most values repeat across claims (qualifiers,
  codes, dates, amounts, the provider's names and numbers); so is a whole segment's validation
  (a pure function of the segment node and the segment's values);
* matching a data segment to a segment node looks up the node's qualifier element again on
  every try (about ten tries a segment); finding a segment node's element by index scans the
  node's children with a list comprehension; a loop node's ``len`` sorts its position map;
* the walker (``walk_tree.walk_errors``) searches the map for every segment, sorting position
  maps and asking ``is_match`` of a dozen nodes, though the nodes it visits and the one it stops
  at depend only on where it starts and on the segment's id and qualifier values.

So this module supplies a counter with the same semantics keyed by the fields ``X12Path``
compares, a ``Segment`` whose reference designators are parsed once per string, and, on the
map objects the gate loads for itself (never on pyx12's classes), per-node memos around pyx12's
own validators (a miss calls pyx12's code, a hit returns the findings that call gave for the
same node and value), the qualifier of each node's ``is_match`` resolved once, and a walker
that works out each route once (pyx12's search, written down as its count-dependent steps) and
replays it against the counter for every later segment with the same start, id and qualifiers.
The memos and routes are emptied after every walk, so no claim's values outlive it.

The shortcuts lean on pyx12 internals, so they are used only with the pyx12 version they were
checked against (``TESTED_PYX12``); any other version gets the stock walk and one warning.
``tests/foundation/test_gate_accel.py`` walks every example, fixture and corpus 837P and
batches with seeded errors both ways and compares the complete findings.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import pyx12.error_item
import pyx12.errors
import pyx12.map_if
import pyx12.map_walker
import pyx12.nodeCounter
import pyx12.path
import pyx12.rawx12file
import pyx12.segment
import pyx12.syntax
import pyx12.x12file

TESTED_PYX12 = "4.0.0"
# Distinct (node, value) pairs kept per walk before the memo starts over: bounds the memory a
# huge file can take (an entry is a few hundred bytes) while a batch's repeats still hit.
MEMO_LIMIT = 200_000

_log = logging.getLogger(__name__)

_PathKey: TypeAlias = tuple[tuple[str, ...], str | None, str | None, int | None, int | None, bool | None]

_memo: dict[tuple[Any, ...], tuple[bool, tuple[Any, ...]]] = {}
_refdes: dict[str, tuple[str | None, int | None, int | None]] = {}
_valid_ids: dict[str, bool] = {}  # segment id -> pyx12's is_seg_id_valid
# Per segment id, the (element, sub-element) indexes of every qualifier a segment node with that
# id matches on (over all maps loaded): what the walker's routes depend on besides the id.
_qualifiers: dict[str | None, tuple[tuple[int, int | None], ...]] = {}


def supported() -> bool:
    """True when the installed pyx12 is the version these shortcuts were checked against."""
    try:
        installed = importlib.metadata.version("pyx12")
    except importlib.metadata.PackageNotFoundError:
        installed = "unknown"
    if installed == TESTED_PYX12:
        return True
    _log.warning("pyx12 %s is not %s: the gate uses pyx12's stock (slower) walk", installed, TESTED_PYX12)
    return False


def forget() -> None:
    """Drop every memoised value (called after each walk)."""
    _memo.clear()


class FastCounter(pyx12.nodeCounter.NodeCounter):  # type: ignore[misc]  # pyx12 is untyped
    """``NodeCounter`` with the same counts: keyed by the fields ``X12Path.__eq__`` compares (so
    the same paths are one key), each key's formatted path split once, and the keys seen so far
    filed under every proper prefix of their path, so ``reset_to_node`` intersects the keys
    under the node with the counted ones (in C) instead of formatting and splitting every key."""

    def __init__(self) -> None:
        super().__init__()
        self._counts: dict[_PathKey, int] = {}
        self._paths: dict[_PathKey, pyx12.path.X12Path] = {}  # the first path seen per key
        self._parts: dict[_PathKey, tuple[str, ...]] = {}  # the formatted path split on "/"
        self._under: dict[tuple[str, ...], set[_PathKey]] = {}  # a path prefix -> the keys below it

    def _key(self, xpath: str | pyx12.path.X12Path) -> _PathKey:
        if isinstance(xpath, pyx12.path.X12Path):
            # A map node's path object lives as long as the map and pyx12 never changes it.
            known: _PathKey | None = xpath.__dict__.get("_gate_key")
            if known is not None and known in self._parts:
                return known
            path = xpath
        else:
            path = pyx12.path.X12Path(xpath)
        key = (tuple(path.loop_list), path.seg_id, path.id_val, path.ele_idx, path.subele_idx, path.relative)
        if key not in self._parts:
            self._paths[key] = path
            parts = self._parts[key] = tuple(path.format().split("/"))
            for depth in range(1, len(parts)):
                self._under.setdefault(parts[:depth], set()).add(key)
        if path is xpath:
            xpath._gate_key = key
        return key

    def reset_to_node(self, xpath: str | pyx12.path.X12Path) -> None:
        self.reset_key(self._key(xpath))

    def reset_key(self, key: _PathKey) -> None:
        # NodeCounter: delete every key whose formatted path extends the parent's by a component.
        below = self._under.get(self._parts[key])
        if below:
            counts = self._counts
            for counted in below.intersection(counts):
                del counts[counted]

    def increment(self, xpath: str | pyx12.path.X12Path) -> None:
        key = self._key(xpath)
        self._counts[key] = self._counts.get(key, 0) + 1

    def setCount(self, xpath: str | pyx12.path.X12Path, ct: int) -> None:
        self._counts[self._key(xpath)] = ct

    def get_count(self, xpath: str | pyx12.path.X12Path) -> int:
        return self._counts.get(self._key(xpath), 0)

    def getState(self) -> OrderedDict[pyx12.path.X12Path, int]:
        return OrderedDict((self._paths[key], count) for key, count in self._counts.items())


class FastSegment(pyx12.segment.Segment):  # type: ignore[misc]  # pyx12 is untyped
    """A data segment whose reference designators ("02", "03-1", "CLM05") are parsed once.

    One made by ``FastReader`` keeps its element texts and makes its composites and elements
    when first asked for them: a segment whose findings the memo already has is never asked
    (most of a batch); ``is_empty`` is answered from the texts until then."""

    def __getattr__(self, name: str) -> Any:
        # Only for attributes not set: "elements" of a segment FastReader has not built yet.
        texts = self.__dict__.get("_gate_texts")
        if name != "elements" or texts is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        self.elements = _composites(texts, self._gate_separator)
        return self.elements

    def is_empty(self) -> bool:
        texts = self.__dict__.get("_gate_texts")
        if texts is None or "elements" in self.__dict__:
            return bool(super().is_empty())
        separator = self._gate_separator
        return all(not text.strip(separator) for text in texts)  # every value empty

    def is_seg_id_valid(self) -> bool:
        seg_id = self.seg_id
        valid = _valid_ids.get(seg_id)
        if valid is None:
            valid = bool(super().is_seg_id_valid())
            if seg_id is not None and len(seg_id) <= 3:  # longer is never valid; not kept
                _valid_ids[seg_id] = valid
        return valid

    def _parse_refdes(self, ref_des: str) -> tuple[int | None, int | None]:
        parsed = _refdes.get(ref_des)
        if parsed is None:
            path = pyx12.path.X12Path(ref_des)
            parsed = _refdes[ref_des] = (
                path.seg_id,
                path.ele_idx - 1 if path.ele_idx is not None else None,
                path.subele_idx - 1 if path.subele_idx is not None else None,
            )
        seg_id, ele_idx, comp_idx = parsed
        if seg_id is not None and seg_id != self.seg_id:
            raise pyx12.errors.EngineError(f"Invalid Reference Designator: {ref_des}, seg_id: {self.seg_id}")
        return (ele_idx, comp_idx)


class FastReader(pyx12.x12file.X12Reader):  # type: ignore[misc]  # pyx12 is untyped
    """``X12Reader`` yielding the same segments, cut by position from the text it has read
    (``RawX12File`` splits its remaining buffer once per segment) and built without pyx12's
    constructors; each keeps the text it was parsed from, which keys the segment memo."""

    def __iter__(self) -> Iterator[FastSegment]:
        # X12Reader.__iter__, line for line, over _segment_texts and _parsed.
        self.err_list: list[Any] = []
        for text in _segment_texts(self.raw):
            line = text
            if line.startswith(" "):
                err_str = "Segment contains a leading space"
                self._seg_error("1", err_str, None, src_line=self.cur_line + 1)
                line = line.lstrip()
            if line[-1] == self.ele_term:
                err_str = "Segment contains trailing element terminators"
                self._seg_error("SEG1", err_str, None, src_line=self.cur_line + 1)
            seg_data = _parsed(line, self.seg_term, self.ele_term, self.subele_term)
            self._parse_segment(seg_data)
            yield seg_data


def _segment_texts(raw: pyx12.rawx12file.RawX12File) -> Iterator[str]:
    """``RawX12File.__iter__``'s segments: the text up to each terminator with leading CR/LF
    dropped, read on by one block when no terminator is left, ending at an empty segment or
    when one more block brings no terminator (pyx12 drops what follows)."""
    term = raw.seg_term
    buffer = raw.buffer
    start = 0
    while True:
        end = buffer.find(term, start)
        if end == -1:
            buffer = buffer[start:] + raw.fd.read(pyx12.rawx12file.DEFAULT_BUFSIZE)
            start = 0
            end = buffer.find(term)
            if end == -1:
                break
        line = buffer[start:end].lstrip("\n\r")
        start = end + 1
        if line == "":
            break
        yield line


_new = object.__new__
_Element = pyx12.segment.Element
_Composite = pyx12.segment.Composite


def _parsed(line: str, seg_term: str, ele_term: str, subele_term: str) -> FastSegment:
    """``Segment(line, seg_term, ele_term, subele_term)``: the same attributes, composites and
    elements (made when first asked for), made without calling the constructors (a batch has
    hundreds of thousands)."""
    if len(ele_term) != 1 or len(subele_term) != 1:  # pyx12's constructors raise: let them
        seg = FastSegment(line, seg_term, ele_term, subele_term)
        seg._gate_line = None
        return seg
    seg = _new(FastSegment)
    seg.seg_term = seg.seg_term_orig = seg_term
    seg.ele_term = seg.ele_term_orig = ele_term
    seg.subele_term = seg.subele_term_orig = subele_term
    seg.repetition_term = "^"
    seg._gate_line = line
    texts = line.split(ele_term)  # (pyx12 drops a final seg_term first: the text was cut at it)
    seg.seg_id = seg_id = texts[0]
    seg._gate_texts = texts[1:]
    seg._gate_separator = ele_term if seg_id == "ISA" else subele_term  # pyx12: ISA16 is not split
    return seg


def _composites(texts: list[str], separator: str) -> list[Any]:
    """pyx12's ``Composite(text, separator)`` of each element text, without the constructors."""
    composites = []
    for text in texts:
        composite = _new(_Composite)
        composite.subele_term = composite.subele_term_orig = separator
        members = []
        for value in text.split(separator):
            element = _new(_Element)
            element.value = value
            members.append(element)
        composite.elements = members
        composites.append(composite)
    return composites


class _CountedLoop(pyx12.map_if.loop_if):  # type: ignore[misc]  # pyx12 is untyped
    """A loop node whose child count is taken once (pyx12 sorts the position map per ``len``)."""

    _gate_len: int

    def __len__(self) -> int:
        return self._gate_len


def accelerate(root: Any) -> None:
    """Fit the memos to a freshly loaded map (its own objects; pyx12's classes stay stock)."""
    seen: set[int] = set()
    for node in _nodes(root):
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, pyx12.map_if.loop_if) and type(node) is pyx12.map_if.loop_if:
            count = len(node)
            node.__class__ = _CountedLoop
            node._gate_len = count
        elif isinstance(node, pyx12.map_if.segment_if):
            node.is_valid_errors = _memo_values(
                node, _segment_validator(node, node.is_valid_errors), _segment_values
            )
            node.is_match = _matcher(node, node.is_match)
            node.get_child_node_by_idx = _children_by_index(node, node.get_child_node_by_idx)
        elif isinstance(node, pyx12.map_if.composite_if):
            node.is_valid_errors = _memo_values(node, node.is_valid_errors, _composite_values)
        elif isinstance(node, pyx12.map_if.element_if):
            node.is_valid_errors = _memo_element(node, node.is_valid_errors)


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    positions = getattr(node, "pos_map", None)
    if positions:
        for children in positions.values():
            for child in children:
                yield from _nodes(child)
    for child in node.children or ():  # pyx12 leaves it None on some control-map nodes
        yield from _nodes(child)


def _remember(key: tuple[Any, ...], result: tuple[bool, list[Any]]) -> tuple[bool, list[Any]]:
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    ok, errors = result
    _memo[key] = (ok, tuple(errors))  # findings are frozen dataclasses; the list is the caller's
    return result


def _memo_element(
    node: Any, stock: Callable[..., tuple[bool, list[Any]]]
) -> Callable[..., tuple[bool, list[Any]]]:
    ident = id(node)  # map nodes compare by id and parent id, so distinct nodes can be ==

    def is_valid_errors(elem: Any, type_list: list[str | None] | None = None) -> tuple[bool, list[Any]]:
        # A composite where an element belongs is reported with its formatted text: not memoised.
        if elem is not None and elem.is_composite():
            return stock(elem, type_list)
        key = (ident, None if elem is None else elem.get_value(), tuple(type_list) if type_list else ())
        hit = _memo.get(key)
        if hit is not None:
            return hit[0], list(hit[1])
        return _remember(key, stock(elem, type_list))

    return is_valid_errors


def _composite_values(comp_data: Any) -> tuple[Any, ...]:
    if comp_data is None:
        return (None,)
    return (comp_data.subele_term, tuple(e.value for e in comp_data.elements))


def _segment_values(seg_data: Any) -> tuple[Any, ...]:
    line = seg_data.__dict__.get("_gate_line")
    if line is not None:  # FastReader's segment: its values are its text cut by its separators
        return (seg_data.seg_term, seg_data.ele_term, seg_data.subele_term, seg_data.repetition_term, line)
    return (
        seg_data.seg_id,
        seg_data.ele_term,
        seg_data.subele_term,
        seg_data.repetition_term,
        # every composite's sub-element separator is the segment's (ISA's is its element
        # separator, and seg_id is in the key), so the values alone tell segments apart
        tuple(tuple(e.value for e in c.elements) for c in seg_data.elements),
    )


def _memo_values(
    node: Any, stock: Callable[[Any], tuple[bool, list[Any]]], values: Callable[[Any], tuple[Any, ...]]
) -> Callable[[Any], tuple[bool, list[Any]]]:
    """A segment's or composite's validator memoised on everything of the data it reads."""
    ident = id(node)  # map nodes compare by id and parent id, so distinct nodes can be ==

    def is_valid_errors(data: Any) -> tuple[bool, list[Any]]:
        key = (ident, *values(data))
        hit = _memo.get(key)
        if hit is not None:
            return hit[0], list(hit[1])
        return _remember(key, stock(data))

    return is_valid_errors


def _segment_validator(
    node: Any, stock: Callable[[Any], tuple[bool, list[Any]]]
) -> Callable[[Any], tuple[bool, list[Any]]]:
    """``segment_if.is_valid_errors`` (a memo miss: a segment not seen before in this walk) with
    the node's children, their kinds and sub-element counts looked up once and each element
    taken from the segment by index; a segment with more elements or sub-elements than the map
    allows goes to pyx12's code (its messages are built there)."""
    count = len(node.children)
    children: list[Any] = []
    for idx in range(count):
        try:
            children.append(node.get_child_node_by_idx(idx))
        except pyx12.errors.EngineError:  # a map pyx12 itself cannot validate with: leave it to pyx12
            return stock
    # 1: composite, 2: element, 0: neither (pyx12 skips it)
    kinds = [
        1
        if isinstance(child, pyx12.map_if.composite_if)
        else 2
        if isinstance(child, pyx12.map_if.element_if)
        else 0
        for child in children
    ]
    subele_counts = [
        len(child.children) if kind == 1 else 0 for child, kind in zip(children, kinds, strict=True)
    ]
    syntax = node.syntax

    def is_valid_errors(seg_data: Any) -> tuple[bool, list[Any]]:
        elements = seg_data.elements
        present = len(elements)
        if present > count:
            return stock(seg_data)
        valid = True
        errors: list[Any] = []
        dtype: list[str | None] = []
        type_list: list[str | None] = []
        is_dtp = seg_data.get_seg_id() == "DTP"
        for i in range(present):
            child_node = children[i]
            kind = kinds[i]
            if kind == 1:
                if len(elements[i]) > subele_counts[i] and child_node.usage != "N":
                    return stock(seg_data)
                ok, found = child_node.is_valid_errors(elements[i])
            elif kind == 2:
                if i == 1 and is_dtp and seg_data.get_value("02") in ("RD8", "D8", "D6", "DT", "TM"):
                    dtype = [seg_data.get_value("02")]
                if child_node.data_ele == "1250":
                    type_list.extend(child_node.valid_codes)
                if i == 2 and is_dtp:
                    ok, found = child_node.is_valid_errors(elements[i], dtype)
                elif child_node.data_ele == "1251" and len(type_list) > 0:
                    ok, found = child_node.is_valid_errors(elements[i], type_list)
                else:
                    ok, found = child_node.is_valid_errors(elements[i])
            else:
                continue
            valid &= ok
            errors += found
        for i in range(present, count):
            if kinds[i]:
                ok, found = children[i].is_valid_errors(None)
                valid &= ok
                errors += found
        for syn in syntax:
            result, syn_err = pyx12.syntax.is_syntax_valid(seg_data, syn)
            if not result:
                code = "10" if syn[0] == "E" else "2"
                assert syn_err is not None  # as pyx12 asserts
                errors.append(pyx12.error_item.EleError(err_cde=code, err_str=syn_err, refdes=syn[1]))
                valid = False
        return valid, errors

    return is_valid_errors


def _matcher(node: Any, stock: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``segment_if.is_match`` with the qualifier's place and codes looked up once: the segment
    id, then (when the node has a qualifier) the qualifier's value among its codes."""
    try:
        key = node._resolve_unique_key_field(node.id, with_qual=False)
    except (AttributeError, IndexError):  # a node pyx12 itself could not match: leave it to pyx12
        return stock
    seg_id = node.id
    known = _qualifiers.setdefault(seg_id, ())
    if key is None:
        return lambda seg: bool(seg.seg_id == seg_id)
    child, ele_idx, subele_idx = key
    path = f"{ele_idx:02d}-{subele_idx}" if subele_idx else f"{ele_idx:02d}"
    where = (ele_idx - 1, subele_idx - 1 if subele_idx else None)  # what get_value(path) reads
    if where not in known:
        _qualifiers[seg_id] = (*known, where)
    codes = child._valid_codes_set

    def is_match(seg: Any) -> bool:
        return bool(seg.seg_id == seg_id and seg.get_value(path) in codes)

    return is_match


def _children_by_index(node: Any, stock: Callable[[int], Any]) -> Callable[[int], Any]:
    # pyx12: None past the last child, else the one child whose seq is idx + 1 (EngineError if
    # not exactly one; those indexes are left to pyx12 so it raises as before).
    found: dict[int, Any] = {}
    for idx in range(len(node.children)):
        try:
            found[idx] = stock(idx)
        except pyx12.errors.EngineError:
            continue
    count = len(node.children)

    def get_child_node_by_idx(idx: int) -> Any:
        if idx >= count:
            return None
        child = found.get(idx)
        return child if child is not None or idx in found else stock(idx)

    return get_child_node_by_idx


# What a walk does for one segment, as a list of steps.  Which map nodes the walk visits and
# which one it stops at depend only on the starting node and on the ``is_match`` answers, and
# those depend only on the segment id and its qualifier values; the counts (and so the errors)
# are the only part that changes from segment to segment.  So the route is worked out once per
# (starting node, segment id, qualifier values) and replayed against the counter.
_SEGMENT_MISSING = 0  # a required segment skipped: "missing" unless counted before
_LOOP_MISSING = 1  # a required loop skipped (pyx12's _record_loop_missing_if_required)
_SEGMENT_FOUND = 2  # the segment matched a segment node of the loop being scanned
_LOOP_ENTERED = 3  # the segment opened a loop (pyx12's _enter_loop_at_first_seg)
_NOT_FOUND = 4  # no node matched (pyx12's _seg_not_found_error)

_Step: TypeAlias = tuple[Any, ...]
_Plan: TypeAlias = tuple[tuple[_Step, ...], Any, tuple[Any, ...], tuple[Any, ...]]


class FastWalker(pyx12.map_walker.walk_tree):  # type: ignore[misc]  # pyx12 is untyped
    """``walk_tree`` whose route for a segment is planned once per (starting node, segment id,
    qualifier values) and then replayed: the same counts, errors and result as pyx12's walk.
    The replay does pyx12's count checks inline (``_check_seg_usage``, ``_check_loop_usage``,
    ``_record_loop_missing_if_required``, ``_enter_loop_at_first_seg``) on counter keys and
    maxima the plan looked up once; ``tests/foundation/test_gate_accel.py`` seeds each error."""

    def __init__(self) -> None:
        super().__init__()
        self.counter = FastCounter()
        self._plans: dict[tuple[Any, ...], _Plan] = {}  # this walk's routes (its counter's keys)

    def walk_errors(
        self, node: Any, seg_data: Any, seg_count: int, cur_line: int, ls_id: str | None
    ) -> tuple[Any, list[Any], list[Any], list[Any]]:
        missing: list[Any] = []
        pending: list[Any] = []
        self.mandatory_segs_missing = missing
        self.errors_pending = pending
        seg_id = seg_data.seg_id
        refs = _qualifiers.get(seg_id)
        key = (id(node), seg_id, *_qualifier_values(seg_data, refs)) if refs else (id(node), seg_id)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Planner(seg_data, self.counter).route(node)
        steps, found, popped, pushed = plan
        counts = self.counter._counts
        for step in steps:
            kind = step[0]
            if kind == _SEGMENT_MISSING:
                _kind, child, child_key, err_str = step
                if counts.get(child_key, 0) < 1:
                    fake_seg = pyx12.segment.Segment("%s" % (child.id), "~", "*", ":")  # noqa: UP031 - pyx12's
                    missing.append(
                        pyx12.map_walker.MissingMandatorySeg(
                            child, fake_seg, "3", err_str, seg_count, cur_line, ls_id
                        )
                    )
            elif kind == _LOOP_MISSING:
                _kind, loop_node, first_child_node, loop_key, err_str = step
                if counts.get(loop_key, 0) < 1:
                    fake_seg = pyx12.segment.Segment(first_child_node.id, "~", "*", ":")
                    missing.append(
                        pyx12.map_walker.MissingMandatorySeg(
                            first_child_node, fake_seg, "3", err_str, seg_count, cur_line, ls_id
                        )
                    )
            elif kind == _SEGMENT_FOUND:
                _kind, child, child_key, max_repeat = step
                count = counts[child_key] = counts.get(child_key, 0) + 1
                if max_repeat is None:  # usage N
                    err_str = "Segment %s found but marked as not used" % (child.id)  # noqa: UP031
                    pending.append(pyx12.map_walker.SegError(err_cde="2", err_str=err_str, src_line=cur_line))
                elif count > max_repeat:
                    what = "Segment %s" % (seg_data.get_seg_id())  # noqa: UP031
                    pending.append(
                        _over_max("5", what, count, max_repeat, child, seg_data, seg_count, cur_line, ls_id)
                    )
                if missing:
                    self.mandatory_segs_missing = [m for m in missing if m.seg_node != child]
                    self._flush_mandatory_segs(child.pos)
                    missing = self.mandatory_segs_missing
            elif kind == _LOOP_ENTERED:
                _kind, loop_node, loop_key, max_repeat, first_seg_key = step
                if max_repeat is None:  # usage N
                    err_str = "Loop %s found but marked as not used" % (loop_node.id)  # noqa: UP031
                    pending.append(pyx12.map_walker.SegError(err_cde="2", err_str=err_str, src_line=cur_line))
                else:
                    self.counter.reset_key(loop_key)
                    count = counts[loop_key] = counts.get(loop_key, 0) + 1
                    if count > max_repeat:
                        what = "Loop %s" % (loop_node.id)  # noqa: UP031
                        pending.append(
                            _over_max(
                                "4", what, count, max_repeat, loop_node, seg_data, seg_count, cur_line, ls_id
                            )
                        )
                counts[first_seg_key] = counts.get(first_seg_key, 0) + 1
                if missing:
                    self._flush_mandatory_segs()
                    missing = self.mandatory_segs_missing
            else:
                self._seg_not_found_error(node, seg_data, seg_count, cur_line, ls_id)
        return found, list(popped), list(pushed), pending


def _over_max(
    code: str, what: str, count: int, max_repeat: int, node: Any, seg_data: Any, seg_count: int,
    cur_line: int, ls_id: str | None,
) -> Any:  # fmt: skip
    """pyx12's "exceeded max count" SegError of a segment (code 5) or a loop (code 4)."""
    err_str = "%s exceeded max count.  Found %i, should have %i" % (what, count, max_repeat)  # noqa: UP031
    return pyx12.map_walker.SegError(
        err_cde=code,
        err_str=err_str,
        src_line=cur_line,
        map_node=node,
        seg_data=seg_data,
        seg_count=seg_count,
        ls_id=ls_id,
    )


def _qualifier_values(seg_data: Any, refs: tuple[tuple[int, int | None], ...]) -> Iterator[Any]:
    """What ``Segment.get_value`` would read at each (element, sub-element) index, or finer: an
    element's text or values, one sub-element's value; from FastReader's texts while the
    segment has not built its elements (the walk never changes a segment: both say the same)."""
    texts = seg_data.__dict__.get("_gate_texts")
    if texts is None:  # not made by FastReader
        elements = seg_data.elements
        for ele_idx, comp_idx in refs:
            members = elements[ele_idx].elements if ele_idx < len(elements) else []
            if comp_idx is None:
                yield tuple(member.value for member in members) if members else None
            else:
                yield members[comp_idx].value if comp_idx < len(members) else None
        return
    separator = seg_data._gate_separator
    count = len(texts)
    for ele_idx, comp_idx in refs:
        if ele_idx >= count:
            yield None
        elif comp_idx is None:
            yield texts[ele_idx]
        else:
            members = texts[ele_idx].split(separator)
            yield members[comp_idx] if comp_idx < len(members) else None


class _Planner:
    """pyx12 4.0.0's ``walk_tree.walk_errors`` control flow (same order of visits, same
    ``is_match`` calls, same exceptions), writing down the counter-dependent steps instead of
    doing them."""

    def __init__(self, seg_data: Any, counter: FastCounter) -> None:
        self.seg_data = seg_data
        self.counter = counter
        self.steps: list[_Step] = []

    def route(self, orig_node: Any) -> _Plan:
        pop_node_list: list[Any] = []
        node, node_pos = pyx12.map_walker.walk_tree._resolve_starting_loop(orig_node)
        while True:
            result = self._scan(node, node_pos, orig_node, pop_node_list)
            if result is not None:
                found, popped, pushed = result
                return tuple(self.steps), found, tuple(popped), tuple(pushed)
            if node.is_map_root():
                self.steps.append((_NOT_FOUND,))
                return tuple(self.steps), None, (), ()
            node_pos = node.pos
            pop_node_list.append(node)
            node = pyx12.map_walker.pop_to_parent_loop(node)

    def _scan(
        self, node: Any, node_pos: int, orig_node: Any, pop_node_list: list[Any]
    ) -> tuple[Any, list[Any], list[Any]] | None:
        for ord1 in [a for a in sorted(node.pos_map) if a >= node_pos]:
            for child in node.pos_map[ord1]:
                if child.is_segment():
                    if child.is_match(self.seg_data):
                        if node.is_loop() and self._is_loop_match(node):
                            found, pushed = self._goto_seg_match(node)
                            orig_loop = (
                                orig_node
                                if (orig_node.is_loop() or orig_node.is_map_root())
                                else pyx12.map_walker.pop_to_parent_loop(orig_node)
                            )
                            if node == orig_loop:
                                return found, [node], [node]
                            return found, pop_node_list, pushed
                        # pyx12's _check_seg_usage: the maximum is read only for usage R and S
                        if child.usage not in ("N", "R", "S"):
                            raise pyx12.errors.EngineError(
                                "Segment usage must be R, S, or N (got %r)" % (child.usage,)  # noqa: UP031
                            )
                        max_repeat = None if child.usage == "N" else child.get_max_repeat()
                        self.steps.append(
                            (_SEGMENT_FOUND, child, self.counter._key(child.x12path), max_repeat)
                        )
                        return child, pop_node_list, []
                    if child.usage == "R":
                        message = 'Mandatory segment "%s" (%s) missing' % (child.name, child.id)  # noqa: UP031
                        self.steps.append(
                            (_SEGMENT_MISSING, child, self.counter._key(child.x12path), message)
                        )
                elif child.is_loop() and self._is_loop_match(child):
                    found, pushed = self._goto_seg_match(child)
                    return found, pop_node_list, pushed
        return None

    def _is_loop_match(self, loop_node: Any) -> bool:
        if not loop_node.is_loop():
            raise pyx12.errors.EngineError(
                "Call to first_seg_match failed, node %s is not a loop. seg %s"  # noqa: UP031
                % (loop_node.id, self.seg_data.get_seg_id())
            )
        if len(loop_node) <= 0:
            return False
        first_child_node = loop_node.get_first_node()
        if first_child_node is None:
            raise pyx12.errors.EngineError("get_first_node failed from loop %s" % (loop_node.id))  # noqa: UP031
        if first_child_node.is_loop():
            return any(child.is_loop() and self._is_loop_match(child) for child in loop_node.childIterator())
        if pyx12.map_walker.is_first_seg_match2(first_child_node, self.seg_data):
            return True
        if loop_node.usage == "R":
            message = 'Mandatory loop "%s" (%s) missing' % (loop_node.name, loop_node.id)  # noqa: UP031
            loop_key = self.counter._key(loop_node.x12path)
            self.steps.append((_LOOP_MISSING, loop_node, first_child_node, loop_key, message))
        return False

    def _goto_seg_match(self, loop_node: Any) -> tuple[Any, list[Any]]:
        if not loop_node.is_loop():
            raise pyx12.errors.EngineError(
                "_goto_seg_match failed, node %s is not a loop. seg %s"  # noqa: UP031
                % (loop_node.id, self.seg_data.get_seg_id())
            )
        first_seg = loop_node.get_first_seg()
        if first_seg is not None and pyx12.map_walker.is_first_seg_match2(first_seg, self.seg_data):
            # pyx12's _check_loop_usage: the maximum is read only for usage R and S
            if loop_node.usage not in ("N", "R", "S"):
                raise pyx12.errors.EngineError(
                    "Loop usage must be R, S, or N (got %r)" % (loop_node.usage,)  # noqa: UP031
                )
            max_repeat = None if loop_node.usage == "N" else loop_node.get_max_repeat()
            loop_key = self.counter._key(loop_node.x12path)
            first_seg_key = self.counter._key(first_seg.x12path)
            self.steps.append((_LOOP_ENTERED, loop_node, loop_key, max_repeat, first_seg_key))
            return first_seg, [loop_node]
        for child in loop_node.childIterator():
            if not child.is_loop():
                continue
            found, pushed = self._goto_seg_match(child)
            if found is not None:
                return found, [loop_node, *pushed]
        return None, []
