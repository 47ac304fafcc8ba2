"""payer_configs/denials.yaml: CARC categories, routine adjustments, filing and appeal limits."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.errors import ConfigError
from gateway.intake import describe_validation_error

FILE_NAME = "denials.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Category(_Strict):
    next_action: Literal["correct and resubmit", "appeal with the documentation packet", "bill the patient",
                         "write off"]  # fmt: skip
    rule_kinds: list[str] = Field(default_factory=list)
    carcs: list[str]


class Limit(_Strict):
    days: int = Field(gt=0)
    anchor: Literal["service_date", "remittance"] = Field(alias="from")
    name: str


class PayerLimits(_Strict):
    filing: Limit | None = None
    appeal: Limit | None = None
    source: str = Field(min_length=3)
    verified: bool


class Limits(_Strict):
    by_kind: dict[str, PayerLimits] = Field(default_factory=dict)
    by_payer: dict[str, PayerLimits] = Field(default_factory=dict)


class DenialConfig(_Strict):
    carc_source: str
    routine: list[str]
    categories: dict[str, Category]
    carc_rule_kinds: dict[str, list[str]] = Field(default_factory=dict)
    limits: Limits

    def rule_kinds(self, carc: str, category: Category) -> frozenset[str]:
        return frozenset(self.carc_rule_kinds.get(carc) or category.rule_kinds)

    def category_of(self, carc: str) -> str | None:
        return next((name for name, category in self.categories.items() if carc in category.carcs), None)

    def limits_for(self, payer_file: str | None, kind: str | None) -> PayerLimits | None:
        if payer_file is not None and payer_file in self.limits.by_payer:
            return self.limits.by_payer[payer_file]
        return self.limits.by_kind.get(kind) if kind is not None else None


def load_denial_config(payer_configs: Path) -> DenialConfig:
    path = payer_configs / FILE_NAME
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    try:
        config = DenialConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{path}: " + "; ".join(describe_validation_error(error))) from None
    seen: dict[str, str] = {}
    for name, category in config.categories.items():
        for carc in category.carcs:
            if carc in seen:
                raise ConfigError(f"{path}: categories.{name}.carcs: CARC {carc} is already in {seen[carc]}")
            seen[carc] = name
    return config
