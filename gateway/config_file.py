"""The gateway config file (``gateway.yaml``): read once, validated by pydantic, errors by file and key.

``read_yaml`` reads and parses the file (one ConfigError naming the file, and the line of a
syntax error); ``validate`` turns a pydantic ValidationError into one ConfigError naming the
file and the dotted key.  ``load_gateway_config`` reads the file once and hands each part to
its owner: ``clearinghouses:`` (gateway.transport.profiles) and ``daemon:``
(gateway.daemon.config).  Config files hold no secrets; the payer rule packs are separate
(``payer_configs/``, gateway.rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from gateway.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """The parsed document of a YAML file; ConfigError names the file (and line) otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file ({error.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line} is not valid YAML") from None


def validate(model: type[M], data: Any, where: str) -> M:
    """``model`` from ``data``; the first problem as one ConfigError: 'WHERE.KEY: message'."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{where}.{key}: {first['msg']}" if key else f"{where}: {first['msg']}") from None
