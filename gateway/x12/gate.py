"""The pyx12 gate: every file we build is validated by pyx12 before it may leave.

pyx12's own entry point (``x12n_document``) re-parses its 1 MB XML maps on every call
(~0.15-0.2 s) and does not return its error tree.  This module runs the same segment walk
with the control map, map index and transaction maps loaded once per process (keyed by map
directory and file), and turns pyx12's error tree into ``GateIssue`` records with segment
number, loop, element and code.  pyx12's map objects are only read during a walk, but the
walk is serialised with a lock because pyx12 was never written for concurrent use.

pyx12 logs every error, bad values included, at ERROR; those values can be patient names, so
its logger is kept at CRITICAL and issues carry the value separately (``GateIssue.value``),
out of the one-line message.
"""

from __future__ import annotations

import gc
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyx12.error_999
import pyx12.error_handler
import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.x12file
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from gateway.x12 import gate_accel

logging.getLogger("pyx12").setLevel(logging.CRITICAL)

_lock = threading.Lock()
_maps: dict[tuple[bool, str | None, str], Any] = {}
_indexes: dict[str | None, Any] = {}
_params = pyx12.params.params()
_ACCELERATED = gate_accel.supported()


@dataclass(frozen=True)
class GateIssue:
    """One finding of pyx12: ``level`` is isa | gs | st | seg | ele."""

    level: str
    code: str
    message: str
    segment_index: int | None = None  # 1-based segment number in the file
    segment_id: str | None = None
    loop: str | None = None
    element: str | None = None  # e.g. CLM02 or SV101-2
    value: str | None = None

    def __str__(self) -> str:
        where = f"segment {self.segment_index}" if self.segment_index is not None else self.level.upper()
        parts = [where]
        if self.segment_id:
            parts.append(self.segment_id)
        if self.loop:
            parts.append(f"loop {self.loop}")
        if self.element:
            parts.append(self.element)
        return f"{' '.join(parts)}: [{self.code}] {_redact(self.message, self.value)}"


def _redact(message: str, value: str | None) -> str:
    # Code values (up to 3 characters) help the operator; anything longer may be PHI.
    if value and len(value) > 3:
        return message.replace(f"({value})", "(value withheld)").replace(value, "(value withheld)")
    return message


@dataclass(frozen=True)
class GateResult:
    issues: list[GateIssue]
    fatal: str | None = None
    ack_999: str | None = None

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.issues


def _map(map_file: str, map_path: str | None, accelerated: bool) -> Any:
    key = (accelerated, map_path, map_file)
    loaded = _maps.get(key)
    if loaded is None:
        loaded = _maps[key] = pyx12.map_if.load_map_file(map_file, _params, map_path)
        if accelerated:
            gate_accel.accelerate(loaded)
        # A map is a few hundred thousand objects that live as long as the process; moving them
        # out of the cyclic GC's reach keeps every later collection from walking them again
        # (measured: 837P build of 10,000 claims 15,500 -> 19,400 claims/s with maps loaded).
        gc.freeze()
    return loaded


def _index(map_path: str | None) -> Any:
    index = _indexes.get(map_path)
    if index is None:
        index = _indexes[map_path] = pyx12.map_index.map_index(map_path)
    return index


def validate_text(
    text: str, map_path: Path | None = None, *, want_999: bool = False, stock: bool = False
) -> GateResult:
    """Validate X12 text with pyx12 (maps cached); ``map_path`` adds our maps (edi_maps).

    ``stock`` walks without ``gate_accel``'s shortcuts, as with an untested pyx12 version
    (the findings are the same; tests compare the two)."""
    path = str(map_path) if map_path is not None else None
    with _lock:
        try:
            errh, walked, loops = _walk(text, path, _ACCELERATED and not stock)
        except pyx12.errors.EngineError as error:
            return GateResult([], fatal=f"pyx12: {error}")
        except pyx12.errors.X12Error as error:
            return GateResult([], fatal=f"pyx12 cannot read the file: {error}")
        except Exception as error:  # noqa: BLE001 - pyx12 crashes on some broken files (seen: AttributeError, IndexError)
            return GateResult(
                [], fatal=f"pyx12 failed on this file ({type(error).__name__}); it is not valid X12"
            )
        finally:
            gate_accel.forget()
        issues = _collect(errh, loops)
        if want_999:
            out = io.StringIO()
            try:
                errh.accept(pyx12.error_999.error_999_visitor(out, walked))
            except pyx12.errors.EngineError as error:
                # seen: an ST whose GS08 pyx12 never took ("err_st.vriic was not set"); the walk's
                # findings stand, the reason is one line (no traceback), and there is no 999
                return GateResult(issues, fatal=f"pyx12 cannot write a 999 for this file: {error}")
            return GateResult(issues, ack_999=out.getvalue())
    return GateResult(issues)


def _walk(text: str, map_path: str | None, accelerated: bool) -> tuple[Any, str, dict[int, str]]:
    """The segment walk of pyx12.x12n_document, with cached maps; also returns the IG loop
    id of every segment by its line (segment number), which pyx12's error tree lacks."""
    loops: dict[int, str] = {}
    errh = pyx12.error_handler.err_handler()
    reader = gate_accel.FastReader if accelerated else pyx12.x12file.X12Reader
    src = reader(io.StringIO(text))
    map_file = "x12.control.00501.xml" if src.icvn == "00501" else "x12.control.00401.xml"
    control_map = _map(map_file, map_path, accelerated)
    index = _index(map_path)
    node = control_map.getnodebypath("/ISA_LOOP/ISA")
    walker = gate_accel.FastWalker() if accelerated else walk_tree()
    icvn = fic = vriic = None
    cur_map: Any = None
    for seg in src:
        orig_node = node
        seg_id = seg.get_seg_id()
        if seg_id == "ISA":
            node = control_map.getnodebypath("/ISA_LOOP/ISA")
            walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
        elif seg_id == "GS":
            node = control_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
        else:
            node, _pop, _push, walk_errors = walker.walk_errors(
                node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id()
            )
            apply_walk_errors(errh, walk_errors)
        if node is None:
            node = orig_node
            continue
        parent = node.get_parent()
        loops[src.get_cur_line()] = getattr(parent, "id", "") or ""
        if seg_id == "ISA":
            errh.add_isa_loop(seg, src)
            icvn = seg.get_value("ISA12")
            errh.handle_errors(src.pop_errors())
        elif seg_id == "IEA":
            errh.handle_errors(src.pop_errors())
            errh.close_isa_loop(node, seg, src)
        elif seg_id == "GS":
            fic = seg.get_value("GS01")
            vriic = seg.get_value("GS08")
            new_file = index.get_filename(icvn, vriic, fic)
            if new_file is None:
                raise pyx12.errors.EngineError(f"no map for GS01={fic} GS08={vriic} (ISA12={icvn})")
            if new_file != map_file:
                map_file = new_file
                cur_map = _map(map_file, map_path, accelerated)
                src.check_837_lx = cur_map.id == "837"
            node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            errh.add_gs_loop(seg, src)
            errh.handle_errors(src.pop_errors())
        elif seg_id == "GE":
            errh.handle_errors(src.pop_errors())
            errh.close_gs_loop(node, seg, src)
        elif seg_id == "ST":
            errh.add_st_loop(seg, src)
            errh.handle_errors(src.pop_errors())
        elif seg_id == "SE":
            errh.handle_errors(src.pop_errors())
            errh.close_st_loop(node, seg, src)
        else:
            errh.add_seg(node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id())
            errh.handle_errors(src.pop_errors())
        apply_segment_errors(node, seg, errh)
    src.cleanup()
    errh.handle_errors(src.pop_errors())
    term = src.get_term()
    src.close()
    return errh, term, loops


def _collect(errh: Any, loops: dict[int, str]) -> list[GateIssue]:
    issues: list[GateIssue] = []
    for isa in errh.children:
        issues.extend(_node_issues("isa", isa, isa.get_cur_line(), "ISA"))
        for gs in isa.children:
            issues.extend(_node_issues("gs", gs, gs.get_cur_line(), "GS"))
            for st in gs.children:
                issues.extend(_node_issues("st", st, st.get_cur_line(), "ST"))
                for seg in st.children:
                    line = seg.get_cur_line()
                    loop = loops.get(line)
                    for code, message, value in seg.errors:
                        issues.append(
                            GateIssue("seg", str(code), message, line, seg.seg_id, loop, None, value)
                        )
                    issues.extend(_element_issues(seg, line, seg.seg_id, loop))
    return issues


def _node_issues(level: str, node: Any, line: int, seg_id: str) -> list[GateIssue]:
    found = [GateIssue(level, str(code), message, line, seg_id) for code, message in node.errors]
    found.extend(_element_issues(node, line, seg_id, None))
    return found


def _element_issues(node: Any, line: int, seg_id: str | None, loop: str | None) -> list[GateIssue]:
    found: list[GateIssue] = []
    for element in getattr(node, "elements", []):
        ref = f"{seg_id}{element.ele_pos:02d}" if seg_id else None
        if ref and element.subele_pos:
            ref += f"-{element.subele_pos}"
        for code, message, value in element.errors:
            found.append(GateIssue("ele", str(code), message, line, seg_id, loop, ref, value))
    return found


def preload(map_path: Path | None = None) -> None:
    """Load the control maps and the 837P map now (a pool worker does this once, at start)."""
    path = str(map_path) if map_path is not None else None
    with _lock:
        for control in ("x12.control.00501.xml", "x12.control.00401.xml"):
            _map(control, path, _ACCELERATED)
        index = _index(path)
        for version, functional_id in (("005010X222A1", "HC"),):
            map_file = index.get_filename("00501", version, functional_id)
            if map_file:
                _map(map_file, path, _ACCELERATED)
