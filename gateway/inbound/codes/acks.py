"""Wording for TA1, 999/997 and 277 entity codes (values defined in the X12 standards).

Sources: X12.5 interchange control structures (TA104 acknowledgment codes, TA105 note codes)
and the 005010X231A1 999 TR3 (IK304 segment, IK403 element, IK5/AK9 codes).  These code
lists are part of the standards themselves, not external code sources; pyx12 validates them
through its maps but has no descriptions to give.
"""

from __future__ import annotations

TA1_NOTE: dict[str, str] = {
    "000": "no error",
    "001": "interchange control numbers in header and trailer do not match",
    "002": "this standard as noted in the control standards identifier is not supported",
    "003": "this version of the controls is not supported",
    "004": "segment terminator is invalid",
    "005": "invalid interchange id qualifier for sender",
    "006": "invalid interchange sender id",
    "007": "invalid interchange id qualifier for receiver",
    "008": "invalid interchange receiver id",
    "009": "unknown interchange receiver id",
    "010": "invalid authorization information qualifier value",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier value",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version id value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end-of-file (transmission)",
    "024": "invalid interchange content (e.g. invalid GS segment)",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
    "028": "invalid delivery date in deferred delivery request",
    "029": "invalid delivery time in deferred delivery request",
    "030": "invalid delivery time code in deferred delivery request",
    "031": "invalid grade of service code",
}

ACK: dict[str, str] = {
    "A": "accepted",
    "E": "accepted with errors",
    "M": "rejected, message authentication code failed",
    "P": "partially accepted",
    "R": "rejected",
    "W": "rejected, assurance failed validity tests",
    "X": "rejected, content could not be analysed",
}

SEGMENT_ERROR: dict[str, str] = {
    "1": "unrecognized segment id",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "implementation 'not used' segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent 'not used' segment present",
}

ELEMENT_ERROR: dict[str, str] = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
    "I10": "implementation 'not used' data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent 'not used' data element present",
}

ENTITY: dict[str, str] = {
    "03": "dependent",
    "1P": "provider",
    "40": "receiver",
    "41": "submitter",
    "77": "service location",
    "82": "rendering provider",
    "85": "billing provider",
    "87": "pay-to provider",
    "DK": "ordering physician",
    "DN": "referring provider",
    "IL": "insured or subscriber",
    "PR": "payer",
    "QC": "patient",
}
