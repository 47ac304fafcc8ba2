"""The intake depth limit, counted on the JSON text, against a walk over the decoded document.

``gateway.intake._depth`` counts nesting on the bytes (strings taken out first); the walk it
replaced counted the decoded containers.  Both must agree wherever json.loads accepts the text,
above all where brackets, quotes and backslashes sit inside strings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.errors import InputError
from gateway.intake import MAX_JSON_DEPTH, _depth, decode_json


def walked_depth(document: Any) -> int:
    """The depth as the decoded containers give it, up to one past the limit (the former check)."""
    level = [document] if isinstance(document, (dict, list)) else []
    depth = 0
    while level and depth <= MAX_JSON_DEPTH:
        depth += 1
        nested: list[Any] = []
        for value in level:
            children = value.values() if isinstance(value, dict) else value
            nested.extend([child for child in children if isinstance(child, (dict, list))])
        level = nested
    return depth


def _agree(text: str) -> int:
    depth = _depth(text.encode())
    assert depth == walked_depth(json.loads(text)), text
    return depth


TRICKY = [
    ("0", 0),
    ('"a string"', 0),
    ("[]", 1),
    ("{}", 1),
    ('{"a": [], "b": {}}', 2),
    ('[[], [[]], [[[]]], {"x": [{}]}]', 4),
    ('["[[[", "]]]", "{", "}"]', 1),
    ('{"[": {"]": "[]{}"}}', 2),
    (r'["a \" [ quote", "\\", "[\\", "\\\\\" {"]', 1),
    (r'[["\\"], "\\\\", ["\"]\"["]]', 2),
    (r'{"k\"[": ["\u005b", "\/", "\n[", "\t]"]}', 2),
    ('["é [", {"ü": ["ß"]}]', 3),
    ('[""] ', 1),
    ('["", "", ["", [""]], ""]', 3),
    ('"\\\\"', 0),
    ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, MAX_JSON_DEPTH),
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH + 1),
    ('{"a":' * 40 + "1" + "}" * 40, MAX_JSON_DEPTH + 1),
    ('["' + "[" * 100 + '"]', 1),
]


@pytest.mark.parametrize(("text", "depth"), TRICKY)
def test_depth_on_the_text_agrees_with_the_walk(text: str, depth: int) -> None:
    assert _agree(text) == depth


_TEXT = st.text(alphabet=st.sampled_from('ab"\\[]{}/\n\té€'), max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=60,
)


@settings(max_examples=400, deadline=None)
@given(_JSON, st.booleans())
def test_depth_on_the_text_agrees_with_the_walk_on_any_document(document: Any, ascii_only: bool) -> None:
    _agree(json.dumps(document, ensure_ascii=ascii_only))


def test_past_the_limit_decoding_names_the_file_whatever_the_strings_hold() -> None:
    shallow = json.dumps({"claims": ["[" * 100, "{" * 100]}).encode()
    assert decode_json(shallow, "f.json") == {"claims": ["[" * 100, "{" * 100]}
    deep = ("[" * (MAX_JSON_DEPTH + 1) + '"]]"' + "]" * (MAX_JSON_DEPTH + 1)).encode()
    with pytest.raises(InputError, match=rf"^f\.json: nested deeper than {MAX_JSON_DEPTH} levels"):
        decode_json(deep, "f.json")
