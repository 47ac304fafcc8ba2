"""The rule kinds a rule pack may contain, as strict pydantic models (one per ``kind``).

Every rule carries ``id``, ``severity`` (what it does when the policy text is verified),
``status`` (verified / derived / unverified: how sure we are of the number) and ``sources``
(keys of ``payer_configs/sources.yaml``).  A value nobody could find (status *unknown* in the
research) is never a rule: it goes in the pack's ``unknown:`` list, which documents it and
enforces nothing.  ``extra="forbid"`` everywhere, so a typo in a key is reported with the file
and the key instead of being silently ignored.

Code selectors (``codes``, ``not_with`` ...) are lists of CPT/HCPCS codes, ranges such as
``64490-64495`` and group names such as ``@esi`` from ``payer_configs/procedures.yaml``; the
loader expands them to plain code sets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from gateway.domain.codes import ImagingGuidance
from gateway.domain.evidence import LineIntent, Sedation, TherapyKind
from gateway.domain.findings import Category, Severity, SourceStatus


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _code_text(value: Any) -> Any:
    """YAML reads an unquoted 64483 as a number; a code is text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


CodeSelector = list[Annotated[str, BeforeValidator(_code_text), Field(min_length=1)]]
RuleIdStr = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
Modifiers = list[Annotated[str, Field(pattern=r"^[0-9A-Z]{2}$")]]
Phase = Literal["any", "diagnostic", "therapeutic"]


class Review(Strict):
    """A coding/compliance reviewer's sign-off that lets a non-verified rule hold claims."""

    by: str = Field(min_length=1)
    date: dt.date
    note: str | None = None


class Duration(Strict):
    """A policy duration in the policy's own unit (3 months stays 3 months, not 13 weeks)."""

    days: int | None = Field(None, ge=0)
    weeks: int | None = Field(None, ge=0)
    months: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> Duration:
        if sum(value is not None for value in (self.days, self.weeks, self.months)) != 1:
            raise ValueError("give exactly one of days, weeks, months")
        return self

    def approx_days(self) -> int:
        """Days for comparing with a day count; a month counts 30 days (a reviewed convention)."""
        if self.days is not None:
            return self.days
        if self.weeks is not None:
            return self.weeks * 7
        return (self.months or 0) * 30

    def text(self) -> str:
        for amount, unit in ((self.days, "day"), (self.weeks, "week"), (self.months, "month")):
            if amount is not None:
                return f"{amount} {unit}{'' if amount == 1 else 's'}"
        return ""


class RuleBase(Strict):
    id: RuleIdStr
    severity: Severity = Severity.ERROR
    status: SourceStatus
    sources: list[str] = Field(min_length=1)
    note: str | None = None
    fix: str | None = Field(None, description="overrides the kind's default fix hint")
    reviewed: Review | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    category: Category | None = Field(
        None, description="overrides the kind's category (coverage, coding ...)"
    )

    @field_validator("status", mode="before")
    @classmethod
    def _no_unknown(cls, value: Any) -> Any:
        if value == "unknown":
            raise ValueError("status unknown is never enforced: list the value under `unknown:` instead")
        return value

    def trigger(self) -> CodeSelector | None:
        """Codes whose presence on the claim makes the rule worth running (None: always)."""
        codes: CodeSelector | None = getattr(self, "codes", None)
        return codes


class NoncoveredCode(RuleBase):
    kind: Literal["noncovered_code"]
    codes: CodeSelector
    reason: str
    liability_modifiers: Modifiers = Field(
        default_factory=lambda: ["GA", "GZ", "GY"],
        description="with one of these the denial is expected and declared: warning, not hold",
    )


class ModifierNotAllowed(RuleBase):
    kind: Literal["modifier_not_allowed"]
    codes: CodeSelector
    modifiers: Modifiers = Field(min_length=1)
    reason: str


class ModifierConflict(RuleBase):
    kind: Literal["modifier_conflict"]
    codes: CodeSelector = Field(default_factory=lambda: ["*"])
    modifier: str
    not_with: Modifiers = Field(min_length=1)
    reason: str


class ModifierRequired(RuleBase):
    kind: Literal["modifier_required"]
    codes: CodeSelector
    any_of: Modifiers = Field(min_length=1)
    when: Phase = "any"
    reason: str


class BilateralNotAllowed(RuleBase):
    kind: Literal["bilateral_not_allowed"]
    codes: CodeSelector
    reason: str


class UnitLimit(RuleBase):
    kind: Literal["max_units"]
    per: Literal["line", "day"]
    limits: dict[str, int]
    mai: int | None = Field(None, ge=1, le=3, description="MUE adjudication indicator")

    def trigger(self) -> CodeSelector | None:
        return list(self.limits)


class PtpPair(Strict):
    column1: str
    column2: CodeSelector
    ccmi: Literal[0, 1]
    effective: dt.date | None = None


class PtpEdits(RuleBase):
    kind: Literal["ptp"]
    pairs: list[PtpPair] = Field(min_length=1)
    bypass_modifiers: Modifiers = Field(default_factory=lambda: ["59", "XE", "XS", "XP", "XU"])

    def trigger(self) -> CodeSelector | None:
        return [pair.column1 for pair in self.pairs]


class NcciFiles(RuleBase):
    """The CMS practitioner PTP and MUE quarters imported with ``gateway codes import`` (checked in
    gateway.rules.kinds.ncci_files).  Where a quarter is loaded for the date of service, the
    pack's hand-typed ``ptp`` and MUE ``max_units`` rules stand aside."""

    kind: Literal["ncci_files"]

    def trigger(self) -> CodeSelector | None:
        return None


class LcdArticles(RuleBase):
    """ICD-10 coverage from MCD billing & coding articles imported with ``gateway codes import
    lcd-articles DIR`` (gateway.rules.kinds.lcd_articles): covered groups per CPT, the non-covered
    list and the group combinations the paragraphs state."""

    kind: Literal["lcd_articles"]
    articles: list[Annotated[str, Field(pattern=r"^A[0-9]{5}$")]] = Field(min_length=1)

    def trigger(self) -> CodeSelector | None:
        return None


class MaxLevels(RuleBase):
    kind: Literal["max_levels"]
    codes: CodeSelector
    max_levels: int = Field(ge=1)
    label: str = Field(description="what is counted, e.g. 'transforaminal ESI levels'")


class OneRegionPerSession(RuleBase):
    kind: Literal["one_region_per_session"]
    codes: CodeSelector


class SameSessionExclusive(RuleBase):
    kind: Literal["same_session_exclusive"]
    codes: CodeSelector
    not_with: CodeSelector
    unless_synovial_cyst: bool = False
    reason: str


class Frequency(RuleBase):
    kind: Literal["frequency"]
    codes: CodeSelector
    max_sessions: int = Field(ge=1)
    window_days: int | None = Field(365, ge=1, description="None: all known history")
    per_region: bool = True
    phase: Phase = "any"
    label: str


class ConservativeCare(RuleBase):
    kind: Literal["conservative_care"]
    codes: CodeSelector
    min_duration: Duration | None = None
    accepted: list[TherapyKind] = Field(min_length=1)
    intolerance_suffices: bool = True
    exempt_dx_prefixes: list[str] = Field(default_factory=list)


class PainDuration(RuleBase):
    kind: Literal["pain_duration"]
    codes: CodeSelector
    min_duration: Duration
    exempt_dx_prefixes: list[str] = Field(default_factory=list)


class ImagingRule(RuleBase):
    kind: Literal["imaging_guidance"]
    codes: CodeSelector
    allowed: list[ImagingGuidance]
    ultrasound_if_contrast_contraindicated: bool = False
    required: bool = True


class PriorRelief(RuleBase):
    """Outcome of earlier procedures in the same region, from the evidence block.

    ``required_priors`` 0: the rule applies to repeats only; n: n qualifying priors must exist.
    """

    kind: Literal["prior_relief"]
    codes: CodeSelector
    phase: Phase = "any"
    prior_codes: CodeSelector
    prior_phase: Phase = "any"
    required_priors: int = Field(0, ge=0)
    unless_prior_codes: CodeSelector = Field(default_factory=list)
    window_days: int | None = Field(365, ge=1)
    min_percent_relief: Decimal = Field(ge=0, le=100)
    min_relief_duration: Duration | None = None
    poor_responder_min_days: int | None = Field(None, ge=1)
    label: str


class MinInterval(RuleBase):
    kind: Literal["min_interval"]
    codes: CodeSelector
    phase: Phase = "any"
    prior_codes: CodeSelector
    prior_phase: Phase = "any"
    min_days: int = Field(ge=1)
    per_region: bool = True
    label: str


class ProvocativeTests(RuleBase):
    kind: Literal["provocative_tests"]
    codes: CodeSelector
    min_positive: int = Field(ge=1)


class ScsRequirements(RuleBase):
    kind: Literal["scs_requirements"]
    codes: CodeSelector
    permanent_codes: CodeSelector
    psych_evaluation_required: bool = True
    min_trial_percent_relief: Decimal | None = Field(None, ge=0, le=100)
    trial_codes: CodeSelector = Field(
        default_factory=list, description="codes that are a trial or a permanent implant by the line's intent"
    )


class PriorAuth(RuleBase):
    kind: Literal["prior_auth"]
    codes: CodeSelector
    places_of_service: list[str] | None = None
    except_places_of_service: list[str] = Field(default_factory=list)
    states: list[str] | None = None
    program: str
    facility_claim: bool = Field(
        False, description="the UTN belongs on the facility claim: say so instead of asking for it here"
    )


class AtLeast(Strict):
    count: int = Field(ge=1)
    of: list[str] = Field(min_length=2)


class ClinicalFindings(RuleBase):
    """Facts of the evidence block an LCD indication or limit decides on (names: kinds/facts.py).

    ``all_of`` must each be true, ``any_of`` at least one true, ``none_of`` each false,
    ``at_least`` ``count`` of ``of`` true.  A stated fact that fails is a finding of the rule's
    severity; a fact that is not stated is a warning "not stated: ..." (category documentation),
    or nothing with ``unstated: ignore`` (for contraindications nobody writes down as absent).
    """

    kind: Literal["clinical_findings"]
    codes: CodeSelector
    when: Phase = "any"
    all_of: list[str] = Field(default_factory=list)
    any_of: list[str] = Field(default_factory=list)
    none_of: list[str] = Field(default_factory=list)
    at_least: AtLeast | None = None
    only_if: list[str] = Field(
        default_factory=list, description="facts that must be true for the rule to apply"
    )
    unless: list[str] = Field(default_factory=list, description="facts that, when true, exempt the claim")
    exempt_dx_prefixes: list[str] = Field(default_factory=list)
    unstated: Literal["warn", "ignore"] = "warn"
    reason: str

    @model_validator(mode="after")
    def _something_to_check(self) -> ClinicalFindings:
        if not (self.all_of or self.any_of or self.none_of or self.at_least):
            raise ValueError("give at least one of all_of, any_of, none_of, at_least")
        return self


class SedationRule(RuleBase):
    kind: Literal["sedation"]
    codes: CodeSelector
    allowed: list[Sedation] = Field(min_length=1)
    with_documented_need: list[Sedation] = Field(default_factory=list)
    sedation_codes: CodeSelector = Field(
        default_factory=list, description="codes that show sedation was billed"
    )
    reason: str


class OneMuscleRegion(RuleBase):
    kind: Literal["one_muscle_region"]
    codes: CodeSelector


class BlockAfterAblation(RuleBase):
    """No block at the level of an earlier successful ablation, for ``months`` after it."""

    kind: Literal["block_after_ablation"]
    codes: CodeSelector
    prior_codes: CodeSelector
    months: int = Field(ge=1)
    success_percent_relief: Decimal = Field(ge=0, le=100)
    label: str


class ReliefHours(RuleBase):
    """An anesthetic block's relief is judged in hours against its agent: both must be stated."""

    kind: Literal["relief_hours"]
    codes: CodeSelector
    phase: Phase = "any"
    prior_codes: CodeSelector
    prior_phase: Phase = "diagnostic"
    window_days: int | None = Field(None, ge=1)
    label: str


class ScsTrials(RuleBase):
    kind: Literal["scs_trials"]
    codes: CodeSelector
    max_trials: int = Field(ge=1)
    per: Literal["region_lifetime"] = "region_lifetime"


class SiteOfService(RuleBase):
    kind: Literal["site_of_service"]
    codes: CodeSelector
    intents: list[LineIntent] = Field(min_length=1)
    always_intent_codes: CodeSelector = Field(
        default_factory=list, description="codes that are this intent whatever the line says (63685)"
    )
    places_of_service: list[str] = Field(min_length=1)
    reason: str


class CystRepeat(RuleBase):
    """A facet synovial cyst is treated again at most ``max_repeats`` times, each after enough relief."""

    kind: Literal["cyst_repeat"]
    codes: CodeSelector
    prior_codes: CodeSelector
    max_repeats: int = Field(ge=0)
    min_percent_relief: Decimal = Field(ge=0, le=100)
    min_relief_duration: Duration


class PriorFunction(RuleBase):
    """A repeat needs the functional improvement the previous procedure gave (same scale)."""

    kind: Literal["prior_function"]
    codes: CodeSelector
    prior_codes: CodeSelector
    window_days: int | None = Field(365, ge=1)
    min_percent: Decimal = Field(ge=0, le=100)
    label: str


class HardwareLimits(RuleBase):
    kind: Literal["hardware_limits"]
    codes: CodeSelector
    max_leads: int | None = Field(None, ge=1)
    max_contacts: int | None = Field(None, ge=1)


class DxCoverage(RuleBase):
    kind: Literal["dx_coverage"]
    articles: list[str] = Field(min_length=1)

    def trigger(self) -> CodeSelector | None:
        return None


DocumentationElement = Literal[
    "pain_scale_baseline",
    "pain_scale_followup",
    "functional_impact",
    "conservative_care",
    "pharmacotherapy_drug_classes",
    "physical_therapy_details",
    "imaging_report_concordant",
    "provocative_tests",
    "psych_evaluation",
    "stimulator_trial",
    "procedure_note",
    "procedure_site",
    "procedure_levels",
    "procedure_laterality",
    "procedure_approach",
    "procedure_medications",
    "procedure_imaging",
    "procedure_contrast",
    "series_percent_relief",
    "series_relief_duration",
    "series_functional_change",
    "distinct_notes",
]


class DocumentationRule(RuleBase):
    """Elements the record must show for these codes (checked in gateway.rules.kinds.documentation)."""

    kind: Literal["documentation"]
    codes: CodeSelector
    elements: list[DocumentationElement] = Field(min_length=1)
    label: str = Field(description="the procedure family as a reviewer says it, e.g. 'ESI'")
    min_provocative_tests: int = Field(3, ge=1)


Rule = Annotated[
    NoncoveredCode
    | ModifierNotAllowed
    | ModifierConflict
    | ModifierRequired
    | BilateralNotAllowed
    | UnitLimit
    | PtpEdits
    | NcciFiles
    | LcdArticles
    | MaxLevels
    | OneRegionPerSession
    | SameSessionExclusive
    | Frequency
    | ConservativeCare
    | PainDuration
    | ProvocativeTests
    | ImagingRule
    | PriorRelief
    | MinInterval
    | ScsRequirements
    | PriorAuth
    | DxCoverage
    | DocumentationRule
    | ClinicalFindings
    | SedationRule
    | OneMuscleRegion
    | BlockAfterAblation
    | ReliefHours
    | ScsTrials
    | SiteOfService
    | HardwareLimits
    | CystRepeat
    | PriorFunction,
    Field(discriminator="kind"),
]
