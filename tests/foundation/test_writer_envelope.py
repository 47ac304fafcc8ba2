from __future__ import annotations

import datetime as dt

import pytest

from gateway.errors import X12SyntaxError
from gateway.x12 import envelope
from gateway.x12.delimiters import Delimiters
from gateway.x12.envelope import ControlNumbers, TradingPartners
from gateway.x12.writer import SegmentWriter


@pytest.mark.parametrize("char", ["~", "*", ":", "^"])
def test_writer_refuses_every_delimiter_in_data(char: str) -> None:
    writer = SegmentWriter()
    with pytest.raises(X12SyntaxError, match="NM103 contains an X12 delimiter"):
        writer.segment("NM1", "IL", "1", f"O{char}BRIEN")
    assert writer.text() == ""


def test_writer_refuses_delimiter_inside_a_composite_and_hides_the_value() -> None:
    writer = SegmentWriter()
    with pytest.raises(X12SyntaxError) as caught:
        writer.segment("SV1", ("HC", "64483", "R~T"), "100")
    assert "SV101" in str(caught.value)
    assert "R~T" not in str(caught.value)


def test_writer_uses_its_own_delimiters() -> None:
    writer = SegmentWriter(Delimiters(element="|", component=">", repetition="!", segment="\n"))
    writer.segment("REF", "EI", "12*34")  # '*' is data here, not a delimiter
    assert writer.text() == "REF|EI|12*34\n"
    with pytest.raises(X12SyntaxError, match=r"^REF02 contains an X12 delimiter character \(\| > ! \n\)"):
        writer.segment("REF", "EI", "12|34")


def test_writer_drops_trailing_empty_elements_and_components() -> None:
    writer = SegmentWriter()
    writer.segment("SV1", ("HC", "64483", "", ""), "100", "UN", "1", "", "", ("1", "", ""))
    writer.segment("N3", "1 MAIN ST", "")
    assert writer.text() == "SV1*HC:64483*100*UN*1***1~N3*1 MAIN ST~"
    assert writer.transaction_segment_count == 2


def test_isa_is_fixed_width_and_envelope_counts_match() -> None:
    writer = SegmentWriter()
    partners = TradingPartners("SENDER", "RECEIVER", usage="P", acknowledgment_requested=True)
    control = ControlNumbers(interchange=42, group=7, first_transaction=3)
    when = dt.datetime(2026, 11, 28, 9, 5)
    envelope.isa_segment(writer, partners, control, when)
    isa = writer.text()
    assert len(isa) == 106
    assert isa[3] == "*" and isa[104] == ":" and isa[105] == "~"
    fields = isa[:-1].split("*")
    assert fields[6] == "SENDER".ljust(15) and fields[8] == "RECEIVER".ljust(15)
    assert fields[13] == "000000042" and fields[14] == "1" and fields[15] == "P"
    envelope.open_group(writer, partners, control, when, "HC", "005010X222A1")
    envelope.open_transaction(writer, "837", control.transaction(0), "005010X222A1")
    writer.segment("BHT", "0019")
    envelope.close_transaction(writer, control.transaction(0))
    envelope.close_group(writer, control, 1)
    envelope.close_interchange(writer, control)
    segments = writer.text().split("~")
    assert "SE*3*0003" in segments  # ST, BHT, SE
    assert "GE*1*7" in segments and "IEA*1*000000042" in segments


def test_sender_id_longer_than_isa_field_is_refused() -> None:
    with pytest.raises(X12SyntaxError, match="sender_id"):
        TradingPartners("X" * 16, "RECEIVER")
