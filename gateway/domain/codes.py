"""Code shapes and code lists the 837P and the payer rules rely on.

pyx12 checks implementation-guide code values but not external code sets, so the shapes of NPI,
ICD-10-CM, CPT/HCPCS, modifiers and NDC are checked here (SNIP level 5 "lite").
"""

from __future__ import annotations

import re
from enum import StrEnum

# ICD-10-CM: a letter, a digit, then an alphanumeric; up to 4 more alphanumerics after the
# (implied) decimal point.  Transmitted without the dot (837P HI segments).
ICD10CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
# CPT Category I (5 digits), Category II (4 digits + F), Category III (4 digits + T), HCPCS Level II.
PROCEDURE_RE = re.compile(r"^(?:[0-9]{5}|[0-9]{4}[FT]|[A-V][0-9]{4})$")
MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")
# NDC in the 11-digit 5-4-2 billing format (N4 qualifier), no hyphens.
NDC11_RE = re.compile(r"^[0-9]{11}$")
TAXONOMY_RE = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
STATE_RE = re.compile(r"^[A-Z]{2}$")
ZIP_RE = re.compile(r"^[0-9]{5}(?:[0-9]{4})?$")
TAX_ID_RE = re.compile(r"^[0-9]{9}$")
PLACE_OF_SERVICE_RE = re.compile(r"^[0-9]{2}$")


def npi_is_valid(npi: str) -> bool:
    """Luhn check of a 10-digit NPI with the 80840 health-industry prefix (CMS NPI standard)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24  # the Luhn contribution of the constant prefix 80840
    for index, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def npi_check_digit(first_nine: str) -> str:
    """The check digit that makes ``first_nine`` + digit a valid NPI (used by fixtures and demos)."""
    for digit in "0123456789":
        if npi_is_valid(first_nine + digit):
            return digit
    raise ValueError(f"not nine digits: {first_nine!r}")


class FrequencyCode(StrEnum):
    """CLM05-3 claim frequency type (NUBC): original, replacement, void."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


class Gender(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class PatientRelationship(StrEnum):
    """PAT01 individual relationship codes allowed by 837P 005010X222A1 loop 2000C."""

    SPOUSE = "01"
    CHILD = "19"
    EMPLOYEE = "20"
    UNKNOWN = "21"
    ORGAN_DONOR = "39"
    CADAVER_DONOR = "40"
    LIFE_PARTNER = "53"
    OTHER = "G8"


class SubscriberRelationship(StrEnum):
    """2320 SBR02: the patient's relationship to the other payer's subscriber (18 = the patient)."""

    SELF = "18"
    SPOUSE = "01"
    CHILD = "19"
    EMPLOYEE = "20"
    UNKNOWN = "21"
    ORGAN_DONOR = "39"
    CADAVER_DONOR = "40"
    LIFE_PARTNER = "53"
    OTHER = "G8"


class PayerResponsibility(StrEnum):
    """SBR01 payer responsibility sequence (the common ones)."""

    PRIMARY = "P"
    SECONDARY = "S"
    TERTIARY = "T"


class ClaimFilingIndicator(StrEnum):
    """SBR09 claim filing indicator codes of 837P 005010X222A1."""

    OTHER_NON_FEDERAL = "11"
    PPO = "12"
    POS = "13"
    EPO = "14"
    INDEMNITY = "15"
    HMO_MEDICARE_RISK = "16"
    DENTAL_MAINTENANCE = "17"
    AUTOMOBILE_MEDICAL = "AM"
    BLUE_CROSS_BLUE_SHIELD = "BL"
    CHAMPUS = "CH"
    COMMERCIAL = "CI"
    DISABILITY = "DS"
    FEDERAL_EMPLOYEES = "FI"
    HMO = "HM"
    LIABILITY_MEDICAL = "LM"
    MEDICARE_PART_A = "MA"
    MEDICARE_PART_B = "MB"
    MEDICAID = "MC"
    OTHER_FEDERAL = "OF"
    TITLE_V = "TV"
    VETERANS_AFFAIRS = "VA"
    WORKERS_COMPENSATION = "WC"
    MUTUALLY_DEFINED = "ZZ"


class ImagingGuidance(StrEnum):
    FLUOROSCOPY = "fluoroscopy"
    CT = "ct"
    ULTRASOUND = "ultrasound"
    NONE = "none"


class SpinalRegion(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SACRAL = "sacral"
    SACROILIAC = "sacroiliac"
    OTHER = "other"


class Laterality(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    MIDLINE = "midline"
