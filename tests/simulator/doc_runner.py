"""Run the `sh` blocks of a Markdown page in order, the way an operator would paste them.

``gateway ...`` commands run in this process through ``gateway.cli.main.main`` (a fresh
interpreter per command would cost seconds each); everything else (mkdir, cp, cat with a
here-document, ssh-keygen) runs in bash.  Both see the same working folder and environment.
A command that fails fails the test with its output, unless the page itself handles the
failure (``gateway check ... || echo ...``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gateway.cli.main import main

BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
HEREDOC = re.compile(r"<<\s*'?(\w+)'?")
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=\S*$")
SHELL_OPERATORS = ("|", "&&", ";", "`", "$(")


def blocks(page: Path, language: str = "sh") -> list[str]:
    return [body for lang, body in BLOCK.findall(page.read_text()) if lang == language]


def commands(block: str) -> list[str]:
    """One entry per command: here-documents and their bodies stay together."""
    lines = block.splitlines()
    found: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        heredoc = HEREDOC.search(line)
        if heredoc is None:
            found.append(line)
            continue
        body = [line]
        while lines[index] != heredoc.group(1):
            body.append(lines[index])
            index += 1
        body.append(lines[index])
        index += 1
        found.append("\n".join(body))
    return found


@dataclass
class PageRun:
    folder: Path
    env: dict[str, str]
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    output: list[str] = field(default_factory=list)

    def run_block(self, block: str) -> None:
        for command in commands(block):
            self.run(command)

    def run(self, command: str) -> None:
        head, _, fallback = command.partition(" || ")
        words = shlex.split(head, comments=True) if "\n" not in head else []
        assignments = (
            [w for w in words[: words.index("gateway")] if ASSIGNMENT.match(w)] if "gateway" in words else []
        )
        in_process = (
            bool(words)
            and words[len(assignments)] == "gateway"
            and not any(op in head for op in SHELL_OPERATORS)
        )
        if not in_process:
            self._bash(command)
            return
        code, out = self._gateway(words[len(assignments) :], assignments)
        self.output.append(f"$ {command}\n{out}")
        if code != 0 and not fallback:
            raise AssertionError(f"`{command}` exited {code}:\n{out}")
        if code != 0:
            self._bash(f"(exit {code}) || {fallback}")

    def _gateway(self, words: list[str], assignments: list[str]) -> tuple[int, str]:
        target = None
        with self.monkeypatch.context() as patch:
            for key, value in {**self.env, **dict(a.split("=", 1) for a in assignments)}.items():
                patch.setenv(key, value)
            patch.chdir(self.folder)
            argv = [os.path.expandvars(w) for w in words[1:]]
            if ">" in argv:
                at = argv.index(">")
                argv, target = argv[:at], argv[at + 1]
            with pytest.raises(SystemExit) as done:
                main(argv)
            captured = self.capsys.readouterr()
        if target is not None:
            (self.folder / target).write_text(captured.out)
        return int(done.value.code or 0), captured.out + captured.err

    def _bash(self, command: str) -> None:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            cwd=self.folder,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.output.append(f"$ {command}\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            raise AssertionError(f"`{command}` exited {result.returncode}:\n{result.stdout}{result.stderr}")


def run_page(
    page: Path,
    folder: Path,
    env: Mapping[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    between: Mapping[int, Callable[[], None]] | None = None,
) -> str:
    """Every `sh` block of ``page`` in order; ``between[i]`` runs after block ``i``."""
    run = PageRun(folder, dict(env), monkeypatch, capsys)
    for number, block in enumerate(blocks(page)):
        run.run_block(block)
        if between and number in between:
            between[number]()
    return "\n".join(run.output)
