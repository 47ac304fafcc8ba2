"""One module per family of rule kinds; each check is ``(CompiledRule, Facts) -> Iterable[Finding]``.

``CHECKS`` maps every ``kind`` of ``gateway.rules.models`` to its check function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts
from gateway.rules.kinds import (
    clinical,
    coding,
    documentation,
    indications,
    lcd_articles,
    ncci_files,
    outcomes,
    payer,
    session,
)

Check = Callable[[CompiledRule, Facts], Iterable[Finding]]

CHECKS: dict[str, Check] = {
    "noncovered_code": coding.noncovered_code,
    "modifier_not_allowed": coding.modifier_not_allowed,
    "modifier_conflict": coding.modifier_conflict,
    "modifier_required": coding.modifier_required,
    "bilateral_not_allowed": coding.bilateral_not_allowed,
    "max_units": coding.max_units,
    "ptp": coding.ptp,
    "ncci_files": ncci_files.ncci_files,
    "lcd_articles": lcd_articles.lcd_articles,
    "max_levels": session.max_levels,
    "one_region_per_session": session.one_region_per_session,
    "same_session_exclusive": session.same_session_exclusive,
    "frequency": outcomes.frequency,
    "prior_relief": outcomes.prior_relief,
    "min_interval": outcomes.min_interval,
    "conservative_care": clinical.conservative_care,
    "pain_duration": clinical.pain_duration,
    "imaging_guidance": clinical.imaging_guidance,
    "provocative_tests": clinical.provocative_tests,
    "scs_requirements": clinical.scs_requirements,
    "prior_auth": payer.prior_auth,
    "dx_coverage": payer.dx_coverage,
    "documentation": documentation.documentation,
    "clinical_findings": indications.clinical_findings,
    "sedation": indications.sedation,
    "one_muscle_region": indications.one_muscle_region,
    "block_after_ablation": indications.block_after_ablation,
    "relief_hours": indications.relief_hours,
    "scs_trials": indications.scs_trials,
    "site_of_service": indications.site_of_service,
    "hardware_limits": indications.hardware_limits,
    "cyst_repeat": indications.cyst_repeat,
    "prior_function": indications.prior_function,
}
