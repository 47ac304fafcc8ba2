"""Where the gateway keeps its things, from the environment, resolved once per process.

GATEWAY_HOME        working folder (default: the current directory)
GATEWAY_DB_URL      SQLAlchemy URL (default: sqlite:///$GATEWAY_HOME/gateway.db)
GATEWAY_OUTBOUND    spool for files we send (default: $GATEWAY_HOME/outbound)
GATEWAY_INBOUND     spool for files we receive (default: $GATEWAY_HOME/inbound)
GATEWAY_PAYER_CONFIGS   rule packs (default: payer_configs/ of this repository)
GATEWAY_EDI_MAPS    our pyx12-format maps (default: edi_maps/ of this repository)
GATEWAY_CONFIG      clearinghouse/daemon config file (default: $GATEWAY_HOME/gateway.yaml)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    outbound: Path
    inbound: Path
    payer_configs: Path
    edi_maps: Path
    config_file: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        home = Path(env.get("GATEWAY_HOME", ".")).resolve()
        return cls(
            home=home,
            db_url=env.get("GATEWAY_DB_URL", f"sqlite:///{home / 'gateway.db'}"),
            outbound=Path(env.get("GATEWAY_OUTBOUND", home / "outbound")),
            inbound=Path(env.get("GATEWAY_INBOUND", home / "inbound")),
            payer_configs=Path(env.get("GATEWAY_PAYER_CONFIGS", REPO_ROOT / "payer_configs")),
            edi_maps=Path(env.get("GATEWAY_EDI_MAPS", REPO_ROOT / "edi_maps")),
            config_file=Path(env.get("GATEWAY_CONFIG", home / "gateway.yaml")),
        )
