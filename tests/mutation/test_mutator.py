"""The mutator itself: which single-point changes it makes, and what it leaves alone."""

from __future__ import annotations

import ast

from tests.mutation.mutator import mutants

SOURCE = '''"""Module docstring."""
from __future__ import annotations

import os

__all__ = ["f"]


def f(items: list[int], limit: int = 3) -> int:
    """Docstring."""
    total = 0
    for item in items:
        if item > limit and not item == 7:
            break
        total += item
    log.info("%s", total)
    print(f"{total:02d}")
    return total
'''


def test_every_single_point_change_and_nothing_else() -> None:
    found = [(m.line, m.description) for m in mutants(SOURCE)]
    assert found == [
        (9, "3 -> 4"),
        (11, "0 -> 1"),
        (13, "negate condition"),
        (13, "and -> or"),
        (13, "> -> >="),
        (13, "remove not"),
        (13, "== -> !="),
        (13, "7 -> 8"),
        (14, "break -> continue"),
        (15, "delete augmented assignment"),
        (15, "+= -> -="),
        (17, "delete call"),
        (18, "return None"),
    ]


def test_each_mutant_is_whole_source_that_differs_from_the_original() -> None:
    original = ast.dump(ast.parse(SOURCE))
    for mutant in mutants(SOURCE):
        assert ast.dump(ast.parse(mutant.source)) != original
        compile(mutant.source, "<mutant>", "exec")
    first = next(iter(mutants(SOURCE)))
    assert first.line_text == "def f(items: list[int], limit: int = 3) -> int:"
    assert "limit: int=4" in first.source
