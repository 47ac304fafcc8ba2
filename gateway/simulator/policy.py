"""What the simulated clearinghouse and payer decide: a small YAML file, validated by pydantic.

Every decision the simulator makes comes from here, so a test (or the demo) can say "deny
20553", "pend 63650 for two cycles" or "reject claims whose number contains REJ" in a few lines::

    remit_delay_cycles: 1
    adjudication: {allowed_percent: 55, coinsurance_percent: 20, deductible: 100, copay: {CI: 40}}
    deny: [{procedure: "20553", reason: "50", remark: N115}]
    deny_diagnosis: [{procedure: "64493", diagnosis: M5450, reason: "11", remark: M76}]
    require_auth: ["63650", "64635"]
    reject: [{marker: REJ, category: A7, status: "562", entity: "85"}]
    auth: {deny: {"22899": "01"}, pend: ["63650"], pend_cycles: 1}
    provider_adjustment_every: 3

``DEFAULT_POLICY`` suits the demo: Medicare and commercial claims are paid with CO-45 and
patient responsibility, trigger-point injections are denied as not medically necessary (CO-50),
stimulator and ablation lines without an authorization number are denied CO-197, 278 requests
are certified except stimulator requests, which are pended one cycle and then certified; a
facet block whose principal diagnosis is unspecified low back pain (M54.50) is denied CO-11.
A claim with a 2320 loop (secondary, tertiary) is paid what the earlier payer left to the patient.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gateway.errors import ConfigError

ProcedureCode = str


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _codes_as_text(value: Any) -> Any:
    """YAML reads an unquoted 20553 as a number; a procedure code is text."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [str(item) if isinstance(item, int) else item for item in value]
    if isinstance(value, dict):
        return {str(key): str(item) if isinstance(item, int) else item for key, item in value.items()}
    return value


class Adjudication(_Strict):
    """How a payable line is priced: allowed amount, then the patient's share."""

    allowed_percent: Decimal = Field(Decimal(55), gt=0, le=100, description="allowed amount, % of charge")
    coinsurance_percent: Decimal = Field(Decimal(20), ge=0, le=100, description="PR-2, % of allowed")
    deductible: Decimal = Field(Decimal(100), ge=0, description="PR-1, once per subscriber and payer")
    copay: dict[str, Decimal] = Field(
        default_factory=lambda: {"CI": Decimal(40)},
        description="PR-3 per claim, by claim filing indicator (SBR09)",
    )


class DenyRule(_Strict):
    """Lines with this procedure are denied in the 835."""

    procedure: ProcedureCode
    group: Literal["CO", "PR", "OA", "PI"] = "CO"
    reason: str = Field("50", pattern=r"^[A-Z0-9]{1,5}$", description="CARC")
    remark: str | None = Field("N115", pattern=r"^[A-Z0-9]{1,5}$", description="RARC (LQ*HE)")

    _text = field_validator("procedure", mode="before")(_codes_as_text)


class DiagnosisDenial(_Strict):
    """Lines with this procedure on a claim whose principal diagnosis is ``diagnosis`` are denied
    (a coding denial: CARC 11, diagnosis inconsistent with the procedure; a corrected claim fixes it)."""

    procedure: ProcedureCode
    diagnosis: str = Field(pattern=r"^[A-Z][0-9A-Z]{2,6}$", description="ICD-10-CM, without the dot")
    group: Literal["CO", "PR", "OA", "PI"] = "CO"
    reason: str = Field("11", pattern=r"^[A-Z0-9]{1,5}$", description="CARC")
    remark: str | None = Field("M76", pattern=r"^[A-Z0-9]{1,5}$", description="RARC (LQ*HE)")

    _text = field_validator("procedure", mode="before")(_codes_as_text)


class RejectRule(_Strict):
    """Claims whose number (CLM01) contains ``marker`` are rejected in the 277CA."""

    marker: str = Field(min_length=1)
    category: Literal["A3", "A6", "A7", "A8"] = "A7"
    status: str = Field("562", pattern=r"^[0-9]{1,5}$", description="claim status code (507)")
    entity: str = Field("85", pattern=r"^[A-Z0-9]{2,3}$", description="entity identifier (98)")


class AuthPolicy(_Strict):
    """How 278 requests are reviewed, per procedure code of the service level."""

    deny: dict[ProcedureCode, str] = Field(
        default_factory=dict, description="procedure -> HCR03 decision reason (code source 886)"
    )
    pend: list[ProcedureCode] = Field(default_factory=list)
    pend_cycles: int = Field(1, ge=0, description="cycles until a pended review is certified; 0 = never")

    _text = field_validator("deny", "pend", mode="before")(_codes_as_text)


class ProviderAdjustmentRule(_Strict):
    """The PLB an 835 carries now and then: an overpayment recovery, or interest when too little is paid."""

    reason: str = Field("WO", pattern=r"^[A-Z0-9]{2}$", description="PLB03-1 (e.g. WO recovery, L6 interest)")
    amount: Decimal = Field(Decimal("25.00"), gt=0)
    interest: Decimal = Field(Decimal("1.37"), gt=0, description="L6 interest paid when payments are short")


class SimulatorPolicy(_Strict):
    clearinghouse_id: str = Field(
        "CLEARINGHOUSE", pattern=r"^[A-Za-z0-9 ]{1,15}$", description="ISA06 of a TA1 for an unreadable ISA"
    )
    payer_tax_id: str = Field("999999999", pattern=r"^[0-9]{9}$", description="TRN03 = 1 + this EIN")
    reject_first_batches: int = Field(
        0, ge=0, description="the first N 837P files are rejected in the 999 (front-end payer-id edit)"
    )
    remit_delay_cycles: int = Field(1, ge=1, description="cycles between the 277CA and the 835")
    adjudication: Adjudication = Adjudication()
    deny: list[DenyRule] = Field(default_factory=list)
    deny_diagnosis: list[DiagnosisDenial] = Field(default_factory=list)
    require_auth: list[ProcedureCode] = Field(default_factory=list, description="CO-197 without REF*G1")
    reject: list[RejectRule] = Field(default_factory=list)
    auth: AuthPolicy = AuthPolicy()
    provider_adjustment_every: int = Field(3, ge=0, description="every Nth 835 carries a PLB; 0 = never")
    provider_adjustment: ProviderAdjustmentRule = ProviderAdjustmentRule()

    _text = field_validator("require_auth", mode="before")(_codes_as_text)

    def denial_for(self, procedure: str, principal_diagnosis: str = "") -> DenyRule | DiagnosisDenial | None:
        found: DenyRule | DiagnosisDenial | None = next(
            (r for r in self.deny if r.procedure == procedure), None
        )
        if found is None and principal_diagnosis:
            found = next(
                (
                    r
                    for r in self.deny_diagnosis
                    if r.procedure == procedure and r.diagnosis == principal_diagnosis
                ),
                None,
            )
        return found

    def rejection_for(self, claim_number: str) -> RejectRule | None:
        return next((rule for rule in self.reject if rule.marker in claim_number), None)


DEFAULT_POLICY = SimulatorPolicy(
    deny=[DenyRule(procedure="20553")],
    # A facet block billed with unspecified low back pain: denied CO-11, paid once corrected.
    deny_diagnosis=[DiagnosisDenial(procedure="64493", diagnosis="M5450")],
    require_auth=["63650", "63685"],
    reject=[RejectRule(marker="REJECT")],
    auth=AuthPolicy(pend=["63650"], pend_cycles=1),
)


def load_policy(path: Path | None) -> SimulatorPolicy:
    """The policy in ``path`` (YAML), or ``DEFAULT_POLICY``; errors name the file and key."""
    if path is None:
        return DEFAULT_POLICY
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the simulator policy ({error.strerror})") from None
    except yaml.YAMLError:
        raise ConfigError(f"{path}: the simulator policy is not valid YAML") from None
    try:
        return SimulatorPolicy.model_validate(document or {})
    except ValidationError as error:
        first = error.errors(include_input=False)[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"{path}: {key}: {first['msg']}") from None
