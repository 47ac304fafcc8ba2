"""Payer-level rules: prior authorisation, ICD-10 coverage from billing & coding articles."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts
from gateway.rules.kinds.base import finding
from gateway.rules.models import PriorAuth


def prior_auth(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, PriorAuth)
    if facts.claim.prior_authorization:
        return
    if spec.states is not None and facts.state not in spec.states:
        return
    for line in facts.lines_in(rule.codes()):
        if spec.places_of_service is not None and line.place_of_service not in spec.places_of_service:
            continue
        if line.place_of_service in spec.except_places_of_service:
            continue
        if spec.facility_claim:
            yield finding(
                rule,
                f"{line.code} in place of service {line.place_of_service} needs prior authorization under "
                f"{spec.program}; the authorization number (UTN) goes on the facility's claim, not on this one.",
                "make sure the facility requested the authorization; put its UTN in prior_authorization if "
                "the payer asks for it on the professional claim too",
                line.number,
            )
            return
        yield finding(
            rule,
            f"{line.code} needs prior authorization under {spec.program} "
            f"(place of service {line.place_of_service}"
            + (f", state {facts.state}" if spec.states is not None else "")
            + "); the claim has no authorization number.",
            "request the authorization (278) and put its number (UTN) in prior_authorization",
            line.number,
        )
        return


def dx_coverage(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    for line in facts.lines:
        for entry in rule.dx:
            allowed = entry.by_cpt.get(line.code)
            if allowed is None:
                continue
            codes, prefixes = allowed
            if any(code in codes or code.startswith(prefixes) for code in line.dx):
                continue
            yield finding(
                rule,
                f"None of the diagnoses on line {line.number} ({', '.join(line.dx)}) is on the covered "
                f"ICD-10 list of {entry.label} for {line.code}.",
                "point the line to a covered diagnosis if the record supports one",
                line.number,
                severity=entry.severity,
                source=entry.label,
                status=entry.status,
            )
