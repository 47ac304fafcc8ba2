"""A small AST mutator: every single-point change of a module's source that a test should notice.

One mutant changes one node: a comparison (``<`` to ``<=``, ``==`` to ``!=``, ``in`` to
``not in``), a boolean operator, a removed ``not``, an arithmetic operator, a constant (a number
plus one, ``True``/``False`` swapped, a string changed), a deleted call statement or augmented
assignment, a return value replaced by ``None``, ``break``/``continue`` swapped, or an ``if``
condition negated.  Docstrings and annotations are left alone: they do not run.

Why our own and not mutmut: mutmut runs the tests in a copied tree, which the tests that start
the ``gateway`` command as a subprocess or read files beside the package do not survive; here the
mutated module is served to a forked pytest by an import hook (see ``run.py``).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Add,
    ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult,
    ast.Mod: ast.Mult,
}
SYMBOLS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    """One change: where, what, and the whole mutated source."""

    number: int
    line: int
    column: int
    description: str  # e.g. "< -> <=", "delete call", "return None"
    line_text: str  # the original source line, stripped: the key for equivalence judgements
    source: str


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0]))
                found.add(id(body[0].value))
    return found


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """Nodes inside annotations (never run under ``from __future__ import annotations``)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.AST | None] = []
        if isinstance(node, ast.arg):
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        for root in roots:
            if root is not None:
                found.update(id(sub) for sub in ast.walk(root))
    return found


def _is_type_checking_or_all(node: ast.AST) -> bool:
    if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
        return True
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "__all__"
    )


def _skipped_subtrees(tree: ast.AST) -> set[int]:
    skipped = _docstring_nodes(tree) | _annotation_nodes(tree)
    for node in ast.walk(tree):
        if _is_type_checking_or_all(node) or isinstance(node, ast.Import | ast.ImportFrom):
            skipped.update(id(sub) for sub in ast.walk(node))
        # A format spec ("02d") broken by a mutant raises at once: a mutant no test needs to kill.
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            skipped.update(id(sub) for sub in ast.walk(node.format_spec))
        # Log calls and their arguments say nothing a test can see without capturing logs;
        # they are judged by review, not by mutants.
        call = node.value if isinstance(node, ast.Expr) else node
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in {"log", "logger", "LOG"}
        ):
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def _changes(node: ast.AST) -> Iterator[tuple[str, ast.AST | None]]:
    """(description, replacement) pairs for one node; None as replacement deletes a statement."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(op))
            if swap is not None:
                mutated = copy.deepcopy(node)
                mutated.ops[index] = swap()
                yield f"{SYMBOLS[type(op)]} -> {SYMBOLS[swap]}", mutated
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[type(other)]}", ast.BoolOp(op=other, values=node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "remove not", node.operand
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "remove unary -", node.operand
    elif isinstance(node, ast.BinOp):
        swap_op = BINOP_SWAPS.get(type(node.op))
        if swap_op is not None:
            yield (
                f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[swap_op]}",
                ast.BinOp(left=node.left, op=swap_op(), right=node.right),
            )
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield f"{value} -> {not value}", ast.Constant(not value)
        elif isinstance(value, int):
            yield f"{value} -> {value + 1}", ast.Constant(value + 1)
        elif isinstance(value, str):
            yield f"{value!r} -> {'XX' + value + 'XX'!r}", ast.Constant("XX" + value + "XX")
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call | ast.Await):
        yield "delete call", None
    elif isinstance(node, ast.AugAssign):
        yield "delete augmented assignment", None
        swap_op = BINOP_SWAPS.get(type(node.op))
        if swap_op is not None:
            yield (
                f"{SYMBOLS[type(node.op)]}= -> {SYMBOLS[swap_op]}=",
                ast.AugAssign(target=node.target, op=swap_op(), value=node.value),
            )
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return None", ast.Return(value=ast.Constant(None))
    elif isinstance(node, ast.Break):
        yield "break -> continue", ast.Continue()
    elif isinstance(node, ast.Continue):
        yield "continue -> break", ast.Break()
    elif isinstance(node, ast.If | ast.While) and not isinstance(node.test, ast.Compare | ast.UnaryOp):
        negated = copy.copy(node)
        negated.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        yield "negate condition", negated


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, replacement: ast.AST | None) -> None:
        self.target = target
        self.replacement = replacement

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if node is self.target:
            return ast.copy_location(self.replacement or ast.Pass(), node)
        return super().generic_visit(node)


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _candidates(tree: ast.Module) -> list[ast.AST]:
    skipped = _skipped_subtrees(tree)
    found = [node for node in ast.walk(tree) if id(node) not in skipped and hasattr(node, "lineno")]
    found.sort(key=_position)
    return found


def mutants(source: str) -> Iterator[Mutant]:
    """Every single-point mutant of ``source``, in source order, each compiling on its own.

    Each mutant is made on a fresh parse, found again by its place in the candidate order, so no
    mutant shares nodes with another.
    """
    lines = source.splitlines()
    plan = [
        (index, choice, *_position(node), description)
        for index, node in enumerate(_candidates(ast.parse(source)))
        for choice, (description, _) in enumerate(_changes(node))
    ]
    number = 0
    for index, choice, line, column, description in plan:
        fresh = ast.parse(source)
        node = _candidates(fresh)[index]
        replacement = list(_changes(node))[choice][1]
        mutated = _Replace(node, replacement).visit(fresh)
        ast.fix_missing_locations(mutated)
        try:
            text = ast.unparse(mutated)
            compile(text, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            continue
        number += 1
        yield Mutant(number, line, column, description, lines[line - 1].strip(), text)
