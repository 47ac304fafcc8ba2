"""Every example claim and auth request renders to a PDF that pdftoppm turns into page images,
whose extracted text holds the codes, dates, scores and relief figures, with the pain chart."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from gateway.codesets import default_code_sets
from gateway.codesets.claim_checks import describe
from gateway.domain.history import History
from gateway.intake import load_auth_requests, load_claims
from gateway.packet.chart import pain_chart
from gateway.packet.content import PacketContent, assemble
from gateway.packet.render import render_pdf
from gateway.packet.subject import Subject, for_auth, for_claim
from gateway.rules import engine
from gateway.rules.book import RuleBook, load_rule_book

REPO = Path(__file__).resolve().parents[2]
CLAIM_FILES = sorted((REPO / "examples" / "claims").glob("*.json"))
AUTH_FILES = sorted((REPO / "examples" / "auths").glob("*.json"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _book() -> RuleBook:
    return load_rule_book(REPO / "payer_configs")


@cache
def _rendered(path: Path, auth: bool) -> tuple[Subject, PacketContent, bytes]:
    subject = for_auth(load_auth_requests(path)[0]) if auth else for_claim(load_claims(path)[0])
    content = assemble(subject, _book())
    return subject, content, render_pdf(content)


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _figure(value: Decimal) -> str:
    return f"{value:g}"


CASES = [(path, False) for path in CLAIM_FILES] + [(path, True) for path in AUTH_FILES]


def test_there_are_examples_to_render() -> None:
    assert len(CLAIM_FILES) >= 5 and len(AUTH_FILES) >= 3


@pytest.mark.parametrize(
    ("path", "auth"), CASES, ids=[f"{'auth' if a else 'claim'}-{p.stem}" for p, a in CASES]
)
def test_packet_text_has_codes_dates_scores_and_relief(path: Path, auth: bool) -> None:
    subject, content, pdf = _rendered(path, auth)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    claim = subject.claim
    assert subject.identifier in text and content.control_number in text
    for line in claim.service_lines:
        assert line.procedure_code in text and line.service_date.isoformat() in text
    flat = " ".join(text.split())
    titles = describe(claim.diagnosis_codes, claim.first_service_date, default_code_sets().icd10)
    for code, title in titles:  # dotted, with the ICD-10-CM title (M50.122 Cervical disc disorder ...)
        assert f"{code} {title}" in flat
    for score in claim.evidence.pain_scores:  # one row of the scores table: date, scale, score
        assert f"{score.date.isoformat()} {score.scale.value} {_figure(score.score)}" in flat
    for prior in claim.evidence.prior_procedures:
        assert prior.date.isoformat() in text and prior.procedure_code in text
        if prior.percent_relief is not None:
            assert f"{_figure(prior.percent_relief)}%" in text
        if prior.relief_duration_days is not None:
            assert f"{prior.relief_duration_days} days" in text
    for therapy in claim.evidence.conservative_therapies:
        assert therapy.start_date.isoformat() in text
    if claim.evidence.stimulator_trial is not None:
        assert f"{_figure(claim.evidence.stimulator_trial.percent_relief)}% relief" in text
    assert "Pain scores over time" in text and "Payer rules that apply" in text
    assert content.completeness.summary().split(";")[0] in flat


@pytest.mark.parametrize(
    ("path", "auth"), CASES, ids=[f"{'auth' if a else 'claim'}-{p.stem}" for p, a in CASES]
)
def test_packet_pages_convert_to_images_and_hold_the_chart(path: Path, auth: bool, tmp_path: Path) -> None:
    pdf = _rendered(path, auth)[2]
    reader = PdfReader(io.BytesIO(pdf))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1  # the pain chart
    assert images[0].image is not None and images[0].image.width > 300
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None, "pdftoppm is missing: run .ci/services.sh (installs poppler-utils)"
    source = tmp_path / "packet.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-r", "30", "-png", str(source), str(tmp_path / "page")], check=True, timeout=60
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == len(reader.pages) >= 1
    assert all(page.read_bytes().startswith(PNG_MAGIC) for page in pages)


def test_chart_marks_scores_and_procedures() -> None:
    _, content, _ = _rendered(REPO / "examples" / "claims" / "held_esi_fifth_session_12_months.json", False)
    assert content.procedures and any(not mark.current for mark in content.procedures)
    with_marks = pain_chart(content.scores, content.procedures)
    without = pain_chart(content.scores, [])
    empty = pain_chart([], [])
    assert with_marks.startswith(PNG_MAGIC) and empty.startswith(PNG_MAGIC)
    assert with_marks != without != empty


def test_open_findings_and_rules_with_lcd_ids_are_listed() -> None:
    _, content, pdf = _rendered(REPO / "examples" / "claims" / "held_esi_bilateral_interlaminar.json", False)
    text = " ".join(_text(pdf).split())
    assert any(f.rule_id == "esi.il_bilateral" for f in content.findings)
    assert "esi.il_bilateral" in text and "L39015" in text
    assert all(row.source for row in content.rules)


def test_an_auth_packet_leaves_out_the_missing_authorization_it_asks_for() -> None:
    request = load_auth_requests(REPO / "examples" / "auths" / "esi_lumbar_tfesi.json")[0]
    subject = for_auth(request)
    wiser = {
        f.rule_id
        for f in engine.evaluate(subject.claim, History.empty(), _book()).findings
        if "wiser" in f.rule_id
    }
    assert wiser  # WISeR state: the claim view alone would say "needs prior authorization"
    assert not wiser & {f.rule_id for f in assemble(subject, _book()).findings}
    assert wiser <= {f.rule_id for f in assemble(for_claim(subject.claim), _book()).findings}
