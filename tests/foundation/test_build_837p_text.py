"""The 837P builder's text path (``build_837p_text``) against its checked path (``BlockWriter``):
the same bytes for every claim and party loop, and a delimiter anywhere in the data falls back
to the checked path, so the errors name the same segment and element as before."""

from __future__ import annotations

import pytest

from gateway.domain.claim import Claim
from gateway.errors import BuildError
from gateway.x12 import build_837p as builder
from gateway.x12.build_837p_text import SegmentText
from gateway.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from gateway.x12.envelope import ControlNumbers
from gateway.x12.writer import BlockWriter
from tests.foundation.helpers import PARTNERS, WHEN
from tests.foundation.test_build_837p_bytes import varied_claims

OTHER = Delimiters("|", ">", "!", "\n")


def checked_claim(claim: Claim, delimiters: Delimiters) -> str:
    writer = BlockWriter(delimiters)
    builder._claim_segments(writer, claim)
    return writer.render()[0]


@pytest.mark.parametrize("delimiters", [DEFAULT_DELIMITERS, OTHER])
def test_every_varied_claim_renders_as_the_checked_writer_renders_it(delimiters: Delimiters) -> None:
    text = SegmentText(
        delimiters.element, delimiters.component, delimiters.segment, builder._d8, builder.x12_decimal
    )
    for claim in varied_claims(1_000):
        assert text.claim(claim) == checked_claim(claim, delimiters), claim.patient_control_number


def test_empty_optional_text_renders_as_the_checked_writer_renders_it() -> None:
    # "" where None is usual (a model built without validation): trailing empties are dropped alike.
    for claim in varied_claims(60):
        lines = [line.model_copy(update={"place_of_service": ""}) for line in claim.service_lines]
        bare = claim.model_copy(update={"service_lines": lines, "release_of_information": ""})
        text = SegmentText("*", ":", "~", builder._d8, builder.x12_decimal)
        assert text.claim(bare) == checked_claim(bare, DEFAULT_DELIMITERS)


def test_the_whole_file_equals_the_checked_build() -> None:
    claims = varied_claims(1_000)
    for delimiters in (DEFAULT_DELIMITERS, OTHER):
        fast = builder.build_837p(claims, PARTNERS, ControlNumbers(2, 3, 4), WHEN, delimiters)
        checked = builder._build_checked(claims, PARTNERS, ControlNumbers(2, 3, 4), WHEN, delimiters)
        assert fast == checked


def _with_address_line(claim: Claim, line1: str) -> Claim:
    person = claim.subscriber.person
    person = person.model_copy(update={"address": person.address.model_copy(update={"line1": line1})})
    return claim.model_copy(update={"subscriber": claim.subscriber.model_copy(update={"person": person})})


@pytest.mark.parametrize("delimiter", list(DEFAULT_DELIMITERS.reserved))
def test_a_delimiter_anywhere_gives_the_checked_paths_errors(delimiter: str) -> None:
    claims = list(varied_claims(40))
    claims[5] = claims[5].model_copy(update={"prior_authorization": f"AUTH{delimiter}1"})
    claims[9] = _with_address_line(claims[9], f"1 MAIN{delimiter}ST")
    lines = [
        line.model_copy(update={"procedure_code": f"6449{delimiter}"}) for line in claims[12].service_lines
    ]
    claims[12] = claims[12].model_copy(update={"service_lines": lines})
    with pytest.raises(BuildError) as caught:
        builder.build_837p(claims, PARTNERS, ControlNumbers(1, 1, 1), WHEN)
    with pytest.raises(BuildError) as expected:
        builder._build_checked(claims, PARTNERS, ControlNumbers(1, 1, 1), WHEN, DEFAULT_DELIMITERS)
    assert caught.value.problems == expected.value.problems
    assert [problem.split(": ", 1)[1] for problem in caught.value.problems] == [
        "REF02 contains an X12 delimiter character (* : ^ ~); refusing to write it",
        "SV101 contains an X12 delimiter character (* : ^ ~); refusing to write it",
    ]


def test_a_party_delimiter_is_blamed_on_its_claims_as_before() -> None:
    claims = list(varied_claims(30))
    claims[3] = _with_address_line(claims[3], "12 MAIN~ST")
    with pytest.raises(BuildError) as caught:
        builder.build_837p(claims, PARTNERS, ControlNumbers(1, 1, 1), WHEN)
    assert caught.value.problems == [
        f"claim {claims[3].patient_control_number}: subscriber: N301 contains an X12 delimiter character"
        + " (* : ^ ~); refusing to write it"
    ]


def test_delimiters_the_builder_writes_itself_take_the_checked_path() -> None:
    # '.' in an amount or '-' in a date range is data to the checked writer, refused as before.
    claims = varied_claims(10)
    for delimiters in (Delimiters(".", ":", "^", "~"), Delimiters("*", "-", "^", "~")):
        with pytest.raises(BuildError) as caught:
            builder.build_837p(claims, PARTNERS, ControlNumbers(1, 1, 1), WHEN, delimiters)
        with pytest.raises(BuildError) as expected:
            builder._build_checked(claims, PARTNERS, ControlNumbers(1, 1, 1), WHEN, delimiters)
        assert caught.value.problems == expected.value.problems


def test_a_value_that_is_not_text_fails_as_before() -> None:
    claim = varied_claims(1)[0]
    bad = claim.model_copy(update={"prior_authorization": 42})
    with pytest.raises(TypeError):
        builder._build_checked([bad], PARTNERS, ControlNumbers(1, 1, 1), WHEN, DEFAULT_DELIMITERS)
    with pytest.raises(TypeError):
        builder.build_837p([bad], PARTNERS, ControlNumbers(1, 1, 1), WHEN)
