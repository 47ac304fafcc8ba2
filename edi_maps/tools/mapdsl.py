"""A small vocabulary for writing pyx12 maps, and the XML renderer.

pyx12 maps are 300-1,000 KB of XML in which one IG fact (say "2010F NM101 is 1T, 72 ...") hides
among 40 lines of boilerplate.  Writing them in this vocabulary keeps each fact on one line that a
reviewer can hold against the TR3, and lets the request and response maps share every segment they
have in common.  ``generate.py`` renders the XML that pyx12 reads; the XML is committed so that the
gateway never needs this code at run time.

Conventions (pyx12 ``map_if``): an element's type and min/max length come from pyx12's
``dataele.xml`` through ``data_ele``; an ``ID`` element 01 with usage R and valid codes is the
segment's *key* (how pyx12 tells sibling segments and loops apart).  A segment that occurs once in
its loop needs no key, and a key turns a wrong code into "segment not found"; such elements use
``check`` (a regular expression built from the code list) so a wrong value is reported as an
invalid code on that element (999 IK403 code 7) instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class El:
    """One simple element; ``seq`` is filled in by its position in the segment."""

    data_ele: str
    name: str
    usage: str = "S"
    codes: tuple[str, ...] = ()
    external: str | None = None
    check: bool = False  # render ``codes`` as a regex: validated, but not a segment key
    regex: str | None = None

    def with_codes(self, *codes: str, usage: str | None = None) -> El:
        return replace(self, codes=tuple(codes), usage=usage or self.usage)


@dataclass(frozen=True)
class Comp:
    """A composite element with its components in order."""

    data_ele: str
    name: str
    usage: str
    parts: tuple[El, ...]


@dataclass(frozen=True)
class Seg:
    xid: str
    name: str
    usage: str
    pos: int
    max_use: str
    elements: tuple[El | Comp, ...]
    syntax: tuple[str, ...] = ()


@dataclass(frozen=True)
class Loop:
    xid: str
    name: str
    usage: str
    pos: int
    repeat: str
    children: tuple[Seg | Loop, ...] = field(default_factory=tuple)
    type: str | None = None


def r(data_ele: str, name: str, *codes: str, check: bool = False) -> El:
    return El(data_ele, name, "R", tuple(codes), check=check)


def s(data_ele: str, name: str, *codes: str, check: bool = False) -> El:
    return El(data_ele, name, "S", tuple(codes), check=check)


def n(data_ele: str, name: str = "Not Used") -> El:
    return El(data_ele, name, "N")


def seg(xid: str, name: str, usage: str, pos: int, max_use: int | str, *elements: El | Comp,
        syntax: Iterable[str] = ()) -> Seg:
    return Seg(xid, name, usage, pos, str(max_use), tuple(elements), tuple(syntax))


def loop(xid: str, name: str, usage: str, pos: int, repeat: int | str,
         *children: Seg | Loop | None) -> Loop:
    return Loop(xid, name, usage, pos, str(repeat), tuple(c for c in children if c is not None))


def renamed(segment: Seg, name: str | None = None, usage: str | None = None,
            max_use: int | str | None = None, pos: int | None = None) -> Seg:
    return replace(
        segment,
        name=name or segment.name,
        usage=usage or segment.usage,
        max_use=str(max_use) if max_use is not None else segment.max_use,
        pos=pos if pos is not None else segment.pos,
    )


def patch(segment: Seg, position: int, element: El | Comp) -> Seg:
    """``segment`` with element ``position`` (1-based) replaced."""
    elements = list(segment.elements)
    elements[position - 1] = element
    return replace(segment, elements=tuple(elements))


# --- rendering -------------------------------------------------------------------------------


def _tag(indent: str, name: str, value: str) -> str:
    return f"{indent}<{name}>{escape(value)}</{name}>\n"


def _codes_regex(codes: Sequence[str]) -> str:
    return "^(?:" + "|".join(re.escape(code) for code in codes) + ")$"


def _element(el: El, xid: str, seq: int, indent: str) -> str:
    out = [f'{indent}<element xid="{xid}">\n']
    inner = indent + "  "
    out.append(_tag(inner, "data_ele", el.data_ele))
    out.append(_tag(inner, "name", el.name))
    out.append(_tag(inner, "usage", el.usage))
    out.append(_tag(inner, "seq", f"{seq:02d}"))
    if el.check and el.codes:
        out.append(_tag(inner, "regex", _codes_regex(el.codes)))
    elif el.regex:
        out.append(_tag(inner, "regex", el.regex))
    if el.external:
        out.append(f'{inner}<valid_codes external="{el.external}"/>\n')
    elif el.codes and not el.check:
        out.append(f"{inner}<valid_codes>\n")
        out.extend(_tag(inner + "  ", "code", code) for code in el.codes)
        out.append(f"{inner}</valid_codes>\n")
    out.append(f"{indent}</element>\n")
    return "".join(out)


def _segment(sg: Seg, indent: str) -> str:
    out = [f'{indent}<segment xid="{sg.xid}">\n']
    inner = indent + "  "
    out.append(_tag(inner, "name", sg.name))
    out.append(_tag(inner, "usage", sg.usage))
    out.append(_tag(inner, "pos", f"{sg.pos:04d}"))
    out.append(_tag(inner, "max_use", sg.max_use))
    out.extend(_tag(inner, "syntax", rule) for rule in sg.syntax)
    for seq, item in enumerate(sg.elements, start=1):
        xid = f"{sg.xid}{seq:02d}"
        if isinstance(item, El):
            out.append(_element(item, xid, seq, inner))
            continue
        out.append(f'{inner}<composite xid="{xid}">\n')
        deeper = inner + "  "
        out.append(_tag(deeper, "data_ele", item.data_ele))
        out.append(_tag(deeper, "name", item.name))
        out.append(_tag(deeper, "usage", item.usage))
        out.append(_tag(deeper, "seq", f"{seq:02d}"))
        for sub, part in enumerate(item.parts, start=1):
            out.append(_element(part, f"{xid}-{sub:02d}", sub, deeper))
        out.append(f"{inner}</composite>\n")
    out.append(f"{indent}</segment>\n")
    return "".join(out)


def render_loop(lp: Loop, indent: str = "  ") -> str:
    type_attr = f' type="{lp.type}"' if lp.type else ""
    out = [f'{indent}<loop xid="{lp.xid}"{type_attr}>\n']
    inner = indent + "  "
    out.append(_tag(inner, "name", lp.name))
    out.append(_tag(inner, "usage", lp.usage))
    out.append(_tag(inner, "pos", f"{lp.pos:04d}"))
    out.append(_tag(inner, "repeat", lp.repeat))
    for child in lp.children:
        out.append(render_loop(child, inner) if isinstance(child, Loop) else _segment(child, inner))
    out.append(f"{indent}</loop>\n")
    return "".join(out)


def render_segment(sg: Seg, indent: str) -> str:
    return _segment(sg, indent)
