"""Load and validate ``payer_configs/`` into typed models; every problem names its file and key.

Layout of the folder (see docs/adding_a_payer_rule.md)::

    sources.yaml        every policy document a rule may cite: id, version, verified or not
    procedures.yaml     the CPT/HCPCS catalogue: family, spinal region, groups (``@esi``)
    packs/*.yaml        one shared pack per policy (esi, facet, si_joint, ...), versioned
    dx/*.yaml           ICD-10 coverage groups per billing & coding article (loadable data)
    payers/*.yaml       one file per payer: which packs, which LCD, overrides, versioned
    routing.yaml        payer id / claim filing indicator / state -> payer file

Loading is all-or-nothing: ``load_config`` reads everything, collects every problem and raises
one ``ConfigProblems`` listing them, so ``gateway config check`` shows them all at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from gateway.domain.codes import ImagingGuidance
from gateway.domain.findings import Severity, SourceStatus
from gateway.errors import ConfigProblems
from gateway.rules.models import CodeSelector, Rule, Strict

Region = Literal["cervical_thoracic", "lumbar_sacral", "sacroiliac", "muscle", "spinal_cord", "peripheral"]
NamePattern = r"^[a-z0-9][a-z0-9_-]*$"


class SourceEntry(Strict):
    title: str
    status: SourceStatus
    contractor: str | None = None
    version: str | None = None
    effective: str | None = None
    where_read: str | None = None
    note: str | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return None if value is None else str(value)


class SourcesFile(Strict):
    sources: dict[str, SourceEntry]


class Procedure(Strict):
    code: str = Field(pattern=r"^(?:[0-9]{5}|[0-9]{4}[FT]|[A-V][0-9]{4})$")
    family: str = Field(pattern=NamePattern)
    region: Region | None = None
    groups: list[str] = Field(default_factory=list)
    add_on: bool = False
    levels_per_unit: int = Field(1, ge=0)
    guidance: ImagingGuidance | None = Field(
        None, description="the guidance the code itself states (0213T-0218T: ultrasound; 62322: none)"
    )
    description: str


class ProceduresFile(Strict):
    procedures: list[Procedure] = Field(min_length=1)


class Unknown(Strict):
    what: str
    sources: list[str] = Field(default_factory=list)
    note: str | None = None


class Versioned(Strict):
    version: str = Field(min_length=1)
    effective_from: dt.date
    effective_to: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class PackVersion(Versioned):
    rules: list[Rule] = Field(default_factory=list)
    unknown: list[Unknown] = Field(default_factory=list)


class PackFile(Strict):
    pack: str = Field(pattern=NamePattern)
    title: str
    lcd_sources: list[str] = Field(default_factory=list, description="the per-MAC LCDs of this policy")
    versions: list[PackVersion] = Field(min_length=1)


class DxGroup(Strict):
    group: str
    cpt: CodeSelector
    codes: list[str] = Field(min_length=1, description="ICD-10-CM codes; a trailing * is a prefix")
    note: str | None = None

    @field_validator("group", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value)


class DxArticle(Strict):
    article: str = Field(pattern=r"^A[0-9]{5}$")
    title: str
    status: SourceStatus
    source: str
    mac: str | None = None
    lcd: str | None = None
    version: str | None = None
    revision_effective: dt.date | None = None
    groups: list[DxGroup] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return None if value is None else str(value)


class Policy(Strict):
    lcd: str
    harmonized_with: list[str] = Field(default_factory=list)


class Override(Strict):
    rule: str
    severity: Severity
    reason: str


class Disable(Strict):
    rule: str
    reason: str


class PayerVersion(Versioned):
    packs: list[str] = Field(default_factory=list)
    policies: dict[str, Policy] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    disable: list[Disable] = Field(default_factory=list)


class PayerFile(Strict):
    payer: str = Field(pattern=NamePattern)
    name: str
    kind: Literal["medicare", "medicare_advantage", "commercial", "medicaid"]
    versions: list[PayerVersion] = Field(min_length=1)


class Route(Strict):
    payer: str
    payer_ids: list[str] | None = None
    filing_indicators: list[str] | None = None
    states: list[str] | None = None
    note: str | None = None


class RoutingFile(Strict):
    routes: list[Route] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedConfig:
    """Everything under payer_configs/, validated; ``digest`` covers the bytes of every file."""

    root: Path
    sources: dict[str, SourceEntry]
    procedures: dict[str, Procedure]
    packs: dict[str, PackFile]
    dx: dict[str, DxArticle]
    payers: dict[str, PayerFile]
    routes: tuple[Route, ...]
    digest: str
    files: dict[str, str]  # 'pack:esi', 'payer:medicare-cgs', 'article:A58403' -> relative path


M = TypeVar("M", bound=BaseModel)


def _where(loc: Sequence[int | str], raw: Any) -> str:
    """``rules[3] 'esi.frequency'.max_sesions`` from a pydantic location."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("id") or node.get("version"), str):
                    label += f" '{node.get('id') or node.get('version')}'"
            parts.append(label)
            continue
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, dict) and node.get("kind") == step:
            continue  # the discriminator tag pydantic adds to the path
        parts.append(("." if parts else "") + str(step))
    return "".join(parts) or "(top level)"


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[str] = []
        self.hasher = hashlib.sha256()

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root.parent)) if path.is_relative_to(self.root.parent) else str(path)

    def read(self, path: Path, model: type[M]) -> M | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self.problems.append(f"{self.rel(path)}: cannot read: {error.strerror}")
            return None
        self.hasher.update(path.name.encode() + b"\0" + data)
        try:
            raw = yaml.load(data, Loader=yaml.CSafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f" line {mark.line + 1}" if mark is not None else ""
            self.problems.append(f"{self.rel(path)}:{at} not valid YAML: {getattr(error, 'problem', error)}")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                self.problems.append(f"{self.rel(path)}: {_where(item['loc'], raw)}: {item['msg']}")
            return None


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def load_config(root: Path) -> LoadedConfig:
    """Read and validate every file; raise ``ConfigProblems`` listing all problems found."""
    root = root.resolve()
    if not root.is_dir():
        raise ConfigProblems(f"payer configs folder {root} does not exist")
    reader = _Reader(root)
    files: dict[str, str] = {}
    sources_file = reader.read(root / "sources.yaml", SourcesFile)
    procedures_file = reader.read(root / "procedures.yaml", ProceduresFile)
    routing_file = reader.read(root / "routing.yaml", RoutingFile)
    packs = _keyed(reader, _yaml_files(root / "packs"), PackFile, "pack", files)
    dx = _keyed(reader, _yaml_files(root / "dx"), DxArticle, "article", files)
    payers = _keyed(reader, _yaml_files(root / "payers"), PayerFile, "payer", files)
    if reader.problems:
        raise ConfigProblems(f"{len(reader.problems)} problem(s) in {root}", reader.problems)
    assert sources_file is not None and procedures_file is not None and routing_file is not None
    procedures: dict[str, Procedure] = {}
    for index, proc in enumerate(procedures_file.procedures):
        if proc.code in procedures:
            reader.problems.append(f"procedures.yaml: procedures[{index}].code: {proc.code} is listed twice")
        procedures[proc.code] = proc
    config = LoadedConfig(
        root=root,
        sources=sources_file.sources,
        procedures=procedures,
        packs=packs,
        dx=dx,
        payers=payers,
        routes=tuple(routing_file.routes),
        digest=reader.hasher.hexdigest(),
        files=files,
    )
    from gateway.rules.crosscheck import cross_check  # late: crosscheck imports this module's models

    reader.problems.extend(cross_check(config))
    if reader.problems:
        raise ConfigProblems(f"{len(reader.problems)} problem(s) in {root}", reader.problems)
    return config


def _keyed(
    reader: _Reader, paths: Iterable[Path], model: type[M], key: str, files: dict[str, str]
) -> dict[str, M]:
    out: dict[str, M] = {}
    for path in paths:
        item = reader.read(path, model)
        if item is None:
            continue
        name = str(getattr(item, key))
        if name in out:
            reader.problems.append(
                f"{reader.rel(path)}: {key}: '{name}' is also defined in {files[f'{key}:{name}']}"
            )
            continue
        out[name] = item
        files[f"{key}:{name}"] = reader.rel(path)
    return out
