"""Clinical evidence that feeds the payer rules but is never transmitted in the 837P.

Payers deny pain-management procedures unless the record shows medical necessity the way their
policy (Medicare LCD, commercial policy) asks for it: failed conservative care for long enough,
pain and function measured on a named scale, the relief earlier injections gave, imaging guidance,
and for spinal cord stimulation a psychological evaluation and a successful trial.  The billing
office enters those facts with the claim; ``gateway.rules`` reads them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.domain.codes import ImagingGuidance, Laterality, SpinalRegion


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class TherapyKind(StrEnum):
    PHYSICAL_THERAPY = "physical_therapy"
    PHARMACOTHERAPY = "pharmacotherapy"
    HOME_EXERCISE = "home_exercise"
    CHIROPRACTIC = "chiropractic"
    ACTIVITY_MODIFICATION = "activity_modification"
    # Named by the Medicare ESI and facet LCDs as conservative care (L39240, L38773):
    COGNITIVE_BEHAVIORAL = "cognitive_behavioral"
    ACUPUNCTURE = "acupuncture"
    OTHER = "other"


class TherapyResponse(StrEnum):
    FAILED = "failed"
    PARTIAL = "partial"
    IMPROVED = "improved"
    NOT_TOLERATED = "not_tolerated"


class ConservativeTherapy(_Frozen):
    """One modality of conservative care, with its dates and what it did for the patient."""

    kind: TherapyKind
    start_date: dt.date
    end_date: dt.date | None = Field(None, description="None while the therapy continues")
    response: TherapyResponse
    details: str | None = Field(None, max_length=500, description="e.g. '2x/week, core stabilisation'")
    drug_classes: list[str] = Field(default_factory=list, description="for pharmacotherapy: NSAID, ...")
    # Documentation completeness (gateway.rules.kinds.documentation): a reviewer wants to see what
    # physical therapy consisted of and how much of it there was, not only that it happened.
    modalities: list[str] = Field(
        default_factory=list, description="physical therapy, e.g. 'McKenzie extension', 'TENS', 'manual'"
    )
    sessions: int | None = Field(None, ge=0, description="number of visits or sessions attended")

    @model_validator(mode="after")
    def _dates_in_order(self) -> ConservativeTherapy:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class PainScale(StrEnum):
    NRS = "NRS"
    VAS = "VAS"
    ODI = "ODI"
    NDI = "NDI"
    PEG = "PEG"
    BPI = "BPI"
    # The LCDs' accepted scales (L39240, L38773: "include but are not limited to"), and the BPI
    # interference subscale, which functional follow-up is often scored on:
    BPI_INTERFERENCE = "BPI_INTERFERENCE"
    PDAS = "PDAS"
    VRS = "VRS"
    OSW = "OSW"
    QUE = "QUE"
    ROLAND_MORRIS = "ROLAND_MORRIS"
    BPFS = "BPFS"
    PROMIS = "PROMIS"


class PainScore(_Frozen):
    """A pain or disability score on a named scale; the same scale must be used at follow-up."""

    scale: PainScale
    score: Decimal = Field(ge=0, le=100)
    date: dt.date
    context: str | None = Field(None, description="baseline, follow-up, post-procedure ...")


class FunctionalImpact(_Frozen):
    """How pain limits activities of daily living, in words (a number alone is not enough)."""

    description: str = Field(min_length=1, max_length=500)
    date: dt.date


class PriorProcedure(_Frozen):
    """An earlier procedure and its outcome: the basis of every repeat-injection rule."""

    procedure_code: str = Field(pattern=r"^(?:[0-9]{5}|[0-9]{4}[FT]|[A-V][0-9]{4})$")
    date: dt.date
    region: SpinalRegion
    laterality: Laterality | None = None
    levels: list[str] = Field(default_factory=list, description="e.g. ['L4-L5', 'L5-S1']")
    percent_relief: Decimal | None = Field(None, ge=0, le=100)
    relief_duration_days: int | None = Field(None, ge=0)
    functional_change: str | None = Field(None, max_length=500)
    diagnostic: bool | None = Field(None, description="True for a diagnostic block (MBB, SIJ)")
    # An anesthetic block's relief is judged against how long its agent acts (L38773, L39383), so
    # hours and the agent; whole days (relief_duration_days) stay for the months-long criteria.
    relief_duration_hours: Decimal | None = Field(
        None, ge=0, description="anesthetic blocks: hours of relief"
    )
    anesthetic_agent: str | None = Field(None, max_length=80, description="e.g. 'bupivacaine 0.5%'")
    successful: bool | None = Field(
        None, description="the clinician's judgment that the procedure succeeded (e.g. an RF ablation)"
    )
    functional_improvement_percent: Decimal | None = Field(
        None, ge=0, le=100, description="improvement in function on the same scale (trigger points: >= 50%)"
    )
    synovial_cyst: bool | None = Field(None, description="the procedure treated a facet synovial cyst")


class ImagingReport(_Frozen):
    """Diagnostic imaging (MRI, CT) that supports the diagnosis."""

    modality: str = Field(min_length=2, max_length=20, description="MRI, CT, X-ray ...")
    date: dt.date
    finding: str = Field(min_length=1, max_length=500)
    concordant_with_diagnosis: bool


class PsychEvaluation(_Frozen):
    date: dt.date
    cleared: bool
    evaluator: str | None = Field(
        None, max_length=80, description="psychiatrist, clinical psychologist, LMSW ... (CGS OPD PA)"
    )


class StimulatorTrial(_Frozen):
    start_date: dt.date
    end_date: dt.date
    percent_relief: Decimal = Field(ge=0, le=100)


class LineIntent(StrEnum):
    """What one service line is for: the same CPT code can be a diagnostic block or a therapeutic
    injection, and 63650 can be a stimulator trial or a permanent implant."""

    DIAGNOSTIC = "diagnostic"
    THERAPEUTIC = "therapeutic"
    TRIAL = "trial"
    PERMANENT = "permanent"
    REPLACEMENT = "replacement"


class LineEvidence(_Frozen):
    """Facts about one service line (``line`` is its 1-based number on the claim)."""

    line: int = Field(ge=1, le=50)
    intent: LineIntent | None = None
    muscle_regions: list[str] = Field(
        default_factory=list, description="trigger points: anatomic region of each muscle injected ('neck')"
    )
    muscles: list[str] = Field(default_factory=list, description="trigger points: muscles injected")


class Sedation(StrEnum):
    NONE = "none"
    LOCAL = "local"
    MINIMAL = "minimal"
    MODERATE = "moderate"
    DEEP = "deep"
    GENERAL = "general"
    MAC = "mac"


class ExamFindings(_Frozen):
    """History and examination facts the LCDs' indications decide on; None = not stated."""

    radicular_findings: bool | None = Field(None, description="radiculopathy or radicular pain on exam")
    neurogenic_claudication: bool | None = None
    predominantly_axial: bool | None = Field(None, description="neck or low back pain is predominantly axial")
    facet_loading_pain: bool | None = None
    untreated_radiculopathy: bool | None = None
    other_causes_excluded: bool | None = Field(None, description="no other pathology explains the pain")
    sij_pain_location: bool | None = Field(
        None, description="pain over the SI joint (iliac crest to gluteal fold), below L5"
    )
    psychiatric_conditions_stabilized: bool | None = None
    fibromyalgia_or_centralized_pain: bool | None = None
    prior_alif_at_level: bool | None = Field(
        None, description="anterior lumbar interbody fusion at the level"
    )
    cyst_root_compression_on_imaging: bool | None = Field(
        None, description="facet synovial cyst: imaging shows nerve root compression"
    )
    spinal_or_systemic_infection: bool | None = None
    compressive_lesion: bool | None = Field(None, description="compressive lesion of cord, conus or cauda")
    suspected_cancer: bool | None = None


class TriggerPointFindings(_Frozen):
    """Trigger point examination (L39713, L34211); None = not stated."""

    focal_muscle_pain: bool | None = None
    hyperirritable_spot: bool | None = None
    taut_band: bool | None = None
    referred_pain: bool | None = None
    palpable_nodule: bool | None = Field(None, description="palpable nodule or hypersensitive bundle")
    movement_limited: bool | None = Field(None, description="joint or limb movement is limited")
    needed_for_diagnosis: bool | None = None


class Injectate(_Frozen):
    local_anesthetic_only: bool | None = None
    biologic: bool | None = Field(None, description="biologics or non-FDA-approved substances")


class AblationTechnique(StrEnum):
    THERMAL_RF = "thermal_rf"
    PULSED_RF = "pulsed_rf"
    COOLED_RF = "cooled_rf"
    CHEMICAL = "chemical"
    CRYO = "cryo"
    LASER = "laser"


class Ablation(_Frozen):
    technique: AblationTechnique
    temperature_c: Decimal | None = Field(None, ge=0, le=200, description="lesion temperature")


class RepeatChange(StrEnum):
    LEVEL = "level"
    APPROACH = "approach"
    MEDICATION = "medication"


class RepeatRationale(_Frozen):
    """Why a repeat follows a poor response, and what is different this time (L39240)."""

    rationale: str | None = Field(None, max_length=500)
    changes: list[RepeatChange] | None = Field(None, description="[] states that nothing changed")


class RfaContraindication(_Frozen):
    """Whether RF ablation can be done (a therapeutic facet injection needs why not, L38773)."""

    contraindicated: bool
    reason: str | None = Field(None, max_length=500)


class Continuation(_Frozen):
    """Injections continued beyond 12 months (L39240; the SIJ LCD applies the same criteria)."""

    severe_disability: bool | None = Field(None, description="severe functional or vocational disability")
    rationale: str | None = Field(
        None,
        max_length=500,
        description="high surgical risk, declines surgery, or recurrence relieved >= 3 months",
    )
    pcp_notified: bool | None = None


class ScsTrialRecord(_Frozen):
    region: SpinalRegion
    start_date: dt.date
    end_date: dt.date | None = None
    percent_relief: Decimal | None = Field(None, ge=0, le=100)
    analgesic_reduction_percent: Decimal | None = Field(None, ge=0, le=100)
    functional_improvement: bool | None = None


class ReplacementReason(StrEnum):
    BATTERY_DEPLETION = "battery_depletion"
    MALFUNCTION = "malfunction"
    END_OF_LIFE = "end_of_life"
    OTHER = "other"


class ScsEvidence(_Frozen):
    """Spinal cord stimulation screening, hardware and trials (NCD 160.7, L35136)."""

    multidisciplinary_screening: bool | None = None
    physical_evaluation: bool | None = None
    active_substance_abuse: bool | None = None
    leads: int | None = Field(None, ge=0)
    contacts: int | None = Field(None, ge=0)
    trials: list[ScsTrialRecord] = Field(default_factory=list, description="every trial, earlier ones too")
    replacement_reason: ReplacementReason | None = None


class Medication(_Frozen):
    """A drug given during a procedure, with its dose as written in the note ('80 mg', '2 mL 0.5%')."""

    name: str = Field(min_length=1, max_length=80)
    dose: str | None = Field(None, max_length=40, description="amount and concentration; None if not written")


class ProcedureNote(_Frozen):
    """What the procedure note of one performed procedure says (the facts an auditor looks for).

    All fields but the date and code may be left out: the documentation rules report each one
    that is missing instead of rejecting the claim at intake.
    """

    date: dt.date
    procedure_code: str = Field(pattern=r"^(?:[0-9]{5}|[0-9]{4}[FT]|[A-V][0-9]{4})$")
    site: str | None = Field(None, max_length=120, description="exact site, e.g. 'left L5-S1 neural foramen'")
    levels: list[str] = Field(default_factory=list, description="spinal levels or joints, e.g. ['L4-L5']")
    laterality: Laterality | None = None
    approach: str | None = Field(None, max_length=120, description="approach or technique: 'transforaminal'")
    medications: list[Medication] = Field(default_factory=list)
    imaging_guidance: ImagingGuidance | None = None
    contrast_confirmed: bool | None = Field(
        None, description="contrast confirmed needle placement (epidural/intra-articular spread)"
    )
    narrative: str | None = Field(None, max_length=4000, description="free text of the note")


class ClinicalNote(_Frozen):
    """The free text of one visit's note; identical text on different dates is a copy-paste flag."""

    date: dt.date
    text: str = Field(min_length=1, max_length=4000)
    kind: str | None = Field(None, max_length=40, description="office visit, follow-up, PT progress ...")


class ClinicalEvidence(_Frozen):
    """The facts payer rules need about this claim's procedure(s)."""

    conservative_therapies: list[ConservativeTherapy] = Field(default_factory=list)
    pain_scores: list[PainScore] = Field(default_factory=list)
    functional_impacts: list[FunctionalImpact] = Field(default_factory=list)
    prior_procedures: list[PriorProcedure] = Field(default_factory=list)
    imaging_guidance: ImagingGuidance | None = Field(
        None, description="guidance used for the procedure(s) on this claim"
    )
    region: SpinalRegion | None = Field(None, description="treated region when the codes leave it open")
    laterality: Laterality | None = None
    levels: list[str] = Field(default_factory=list, description="spinal levels treated, e.g. ['L5-S1']")
    pain_onset_date: dt.date | None = None
    diagnostic_block: bool | None = Field(None, description="True when the block is diagnostic (MBB/SIJ)")
    imaging_reports: list[ImagingReport] = Field(default_factory=list)
    provocative_tests_positive: int | None = Field(None, ge=0, description="SI joint: positive tests")
    psych_evaluation: PsychEvaluation | None = None
    stimulator_trial: StimulatorTrial | None = None
    # Exceptions the LCDs name (used by gateway.rules): ultrasound guidance without contrast is
    # allowed for ESI/SIJ only with a documented contrast allergy or pregnancy; an ESI and a facet
    # procedure may share a session only for a facet synovial cyst.
    contrast_contraindicated: bool | None = Field(
        None, description="documented contrast allergy or pregnancy (allows ultrasound guidance)"
    )
    synovial_cyst: bool | None = Field(None, description="the facet procedure treats a synovial cyst")
    # Documentation completeness (all optional; see gateway.rules.kinds.documentation):
    procedure_notes: list[ProcedureNote] = Field(
        default_factory=list, description="one per performed procedure (claims); earlier ones may be added"
    )
    clinical_notes: list[ClinicalNote] = Field(default_factory=list, description="visit notes, one per date")
    provocative_tests: list[str] = Field(
        default_factory=list, description="SI joint: names of the positive tests (FABER, Gaenslen, ...)"
    )
    # What the LCD indications and limits decide on (issue 13; docs/coverage_matrix.md).  Every
    # field is optional: None means "not stated", and a rule that needs it says so instead of
    # guessing.
    lines: list[LineEvidence] = Field(default_factory=list, description="per service line: intent, muscles")
    exam: ExamFindings | None = None
    trigger_points: TriggerPointFindings | None = None
    sedation: Sedation | None = Field(None, description="deepest sedation or anesthesia given")
    sedation_reason: str | None = Field(None, max_length=500, description="documented need for sedation")
    injectate: Injectate | None = None
    ablation: Ablation | None = None
    repeat: RepeatRationale | None = None
    rfa_contraindication: RfaContraindication | None = None
    scs: ScsEvidence | None = None
    continuation: Continuation | None = None

    @model_validator(mode="after")
    def _one_entry_per_line(self) -> ClinicalEvidence:
        numbers = [item.line for item in self.lines]
        if len(numbers) != len(set(numbers)):
            raise ValueError("evidence.lines names a service line twice")
        return self

    def line_evidence(self, number: int) -> LineEvidence | None:
        return next((item for item in self.lines if item.line == number), None)
