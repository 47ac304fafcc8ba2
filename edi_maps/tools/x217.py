"""278 005010X217 request (BHT02 13) and response (BHT02 11) in the ``mapdsl`` vocabulary.

Source of every fact: /work/shared/reference/x217_278_structure.md (section numbers in the
comments).  The X217 TR3 itself is licensed by X12; where the public sources leave a usage,
repeat or code list open, the value chosen here is the one the TR3 examples (the stupidedi
fixtures) and EdiFabric's template agree on, and it is marked "unconfirmed" in a comment.
Review every "unconfirmed" against a licensed TR3 before relying on it in production.
"""

from __future__ import annotations

from mapdsl import Comp, El, Loop, Seg, loop, n, r, renamed, s, seg

REQUEST = "request"
RESPONSE = "response"

# --- element vocabulary (data element numbers from pyx12 dataele.xml, 5010) ------------------

PROVIDER_REF_CODES = ("0B", "1G", "1J", "EI", "N5", "N7", "SY", "ZH")  # §3.12
EVENT_PROVIDER_CODES = ("71", "72", "73", "77", "AAJ", "DD", "DK", "DN", "FA", "G3", "P3", "QB",
                        "QV", "SJ")  # §3.13 (EF = OF)
SERVICE_PROVIDER_CODES = ("1T", "72", "73", "77", "DD", "DK", "DQ", "FA", "G3", "P3", "QB", "QV", "SJ")
NM108_CODES = ("24", "34", "46", "PI", "XV", "XX")  # 4010 list (§3.13); Fx use 24, 34, 46, PI
PROVIDER_NM108 = ("24", "34", "46", "XX")
HCR01_EVENT = ("A1", "A2", "A3", "A4", "A6", "C", "CT", "NA")  # §3.5
HCR01_SERVICE = ("A1", "A3", "A4", "A6", "C", "CT", "NA")  # §3.5 (A2 at 2000F unconfirmed: excluded)
PWK01_CODES = ("03", "04", "05", "06", "07", "08", "09", "10", "11", "13", "15", "21", "48", "55", "59",
               "77", "A3", "A4", "AM", "AS", "AT", "B2", "B3", "BR", "BS", "BT", "CB", "CK", "D2", "DA",
               "DB", "DG", "DJ", "DS", "FM", "HC", "HR", "I5", "IR", "LA", "M1", "NN", "OB", "OC", "OD",
               "OE", "OX", "P4", "P5", "P6", "P7", "PE", "PN", "PO", "PQ", "PY", "PZ", "QC", "QR", "RB",
               "RR", "RT", "RX", "SG", "V5", "XP")  # §3.10
DX_FIRST = ("ABK", "ABF", "ABJ", "APR", "BK", "BF", "BJ", "PR", "DR")  # §3.6
DX_OTHER = ("ABF", "ABJ", "APR", "BF", "BJ", "PR", "DR")
AAA03_CODES = ("04", "15", "33", "35", "41", "42", "43", "44", "45", "46", "47", "49", "50", "51", "52",
               "56", "57", "58", "60", "61", "62", "64", "65", "66", "67", "68", "71", "72", "73", "74",
               "75", "76", "77", "78", "79", "80", "95", "97", "T4", "T5")  # union of §3.9 subsets
AAA04_CODES = ("C", "N", "P", "R", "S", "W", "X", "Y")  # base 889 (§3.9)
CERT_TYPES = ("1", "2", "3", "4", "I", "N", "R", "S")  # §3.4 UM02


def hl(name: str, level: str, parent: bool, child_codes: tuple[str, ...]) -> Seg:
    return seg("HL", name, "R", 100, 1,
               r("628", "Hierarchical ID Number"),
               r("734", "Hierarchical Parent ID Number") if parent else n("734"),
               r("735", "Hierarchical Level Code", level),
               r("736", "Hierarchical Child Code", *child_codes))


def nm1(name: str, codes: tuple[str, ...], kinds: tuple[str, ...], id_codes: tuple[str, ...] | None,
        id_usage: str = "S", person: bool = True) -> Seg:
    """NM1 with the usual X217 shape; ``id_codes`` None means the loop sends a name only."""
    person_usage = "S" if person else "N"
    return seg("NM1", name, "R", 1700, 1,
               r("98", "Entity Identifier Code", *codes),
               r("1065", "Entity Type Qualifier", *kinds),
               s("1035", "Last or Organization Name"),
               El("1036", "First Name", person_usage),
               El("1037", "Middle Name", person_usage),
               n("1038", "Name Prefix"),
               El("1039", "Name Suffix", person_usage),
               El("66", "Identification Code Qualifier", id_usage, id_codes or ()) if id_codes else n("66"),
               El("67", "Identification Code", id_usage) if id_codes else n("67"),
               n("706", "Entity Relationship Code"),
               n("98", "Entity Identifier Code"),
               n("1035", "Name Last or Organization Name"),
               syntax=("P0809", "C1110", "C1203"))


def ref(name: str, pos: int, max_use: int, codes: tuple[str, ...], ref03: bool = False) -> Seg:
    return seg("REF", name, "S", pos, max_use,
               r("128", "Reference Identification Qualifier", *codes),
               r("127", "Reference Identification"),
               s("352", "Description") if ref03 else n("352", "Description"),
               syntax=("R0203",))


def n3(name: str, usage: str = "S") -> Seg:
    return seg("N3", name, usage, 2000, 1, r("166", "Address Information"), s("166", "Address Information"))


def n4(name: str, usage: str = "S") -> Seg:
    return seg("N4", name, usage, 2100, 1,
               r("19", "City Name"), s("156", "State or Province Code"), s("116", "Postal Code"),
               El("26", "Country Code", "S", external="country"), n("309"), n("310"),
               s("1715", "Country Subdivision Code"),
               syntax=("E0207", "C0605", "C0704"))


def per(name: str) -> Seg:
    qualifiers = ("EM", "EX", "FX", "TE", "UR")  # §3.14: 5010 subset unconfirmed; base 365 values
    return seg("PER", name, "S", 2200, 1,
               r("366", "Contact Function Code", "IC", check=True),
               s("93", "Name"),
               s("365", "Communication Number Qualifier", *qualifiers), s("364", "Communication Number"),
               s("365", "Communication Number Qualifier", *qualifiers), s("364", "Communication Number"),
               s("365", "Communication Number Qualifier", *qualifiers), s("364", "Communication Number"),
               n("443"),
               syntax=("P0304", "P0506", "P0708"))


def prv(name: str, codes: tuple[str, ...]) -> Seg:
    return seg("PRV", name, "S", 2400, 1,
               r("1221", "Provider Code", *codes, check=True),
               r("128", "Reference Identification Qualifier", "PXC"),
               r("127", "Provider Taxonomy Code"),
               n("156"), Comp("C035", "Provider Specialty Information", "N", (n("1222"),)), n("1223"))


def aaa(name: str, pos: int) -> Seg:
    """Response only.  AAA01 Y/N everywhere (§1.3 #3: EF's N-only below 2000A looks too strict)."""
    return seg("AAA", name, "S", pos, 9,
               r("1073", "Valid Request Indicator", "N", "Y", check=True),
               n("559"),
               r("901", "Reject Reason Code", *AAA03_CODES, check=True),
               r("889", "Follow-up Action Code", *AAA04_CODES, check=True))


def dmg(name: str) -> Seg:
    return seg("DMG", name, "S", 2500, 1,
               r("1250", "Date Time Period Format Qualifier", "D8", check=True),
               r("1251", "Birth Date"),
               s("1068", "Gender Code", "F", "M", "U", check=True),
               syntax=("P0102",))


def ins(name: str, indicator: str, relationships: tuple[str, ...]) -> Seg:
    elements: list[El | Comp] = [
        r("1073", "Insured Indicator", indicator, check=True),
        r("1069", "Individual Relationship Code", *relationships, check=True),
    ]
    elements += [n(de) for de in ("875", "1203", "1216", "1218", "1219", "584", "1220", "1073", "1250",
                                  "1251", "1165", "19", "156", "26")]
    elements.append(s("1470", "Birth Sequence Number") if indicator == "N" else n("1470"))
    return seg("INS", name, "S", 2600, 1, *elements)


def trn(name: str, direction: str) -> Seg:
    codes = ("1",) if direction == REQUEST else ("1", "2")  # §3.3
    return seg("TRN", name, "S", 200, 2 if direction == REQUEST else 3,
               r("481", "Trace Type Code", *codes, check=True),
               r("127", "Reference Identification"),
               r("509", "Trace Assigning Entity Identifier"),
               s("127", "Trace Assigning Entity Additional Identifier"))


def um(level: str) -> Seg:
    categories = ("AR", "HS", "IN", "SC") if level == "E" else ("HS", "SC")  # §3.4 (EF)
    usage = "R" if level == "E" else "S"  # §1.3 #8: TR3 examples have 2000F without UM
    return seg("UM", "Health Care Services Review Information", usage, 400, 1,
               r("1525", "Request Category Code", *categories, check=True),
               r("1322", "Certification Type Code", *CERT_TYPES, check=True),
               El("1365", "Service Type Code", "S", external="service_type"),
               Comp("C023", "Health Care Service Location Information", "S", (
                   r("1331", "Facility Type Code"),
                   r("1332", "Facility Code Qualifier", "A", "B"),
                   n("1325", "Claim Frequency Type Code"))),
               Comp("C024", "Related Causes Information", "S", (
                   r("1362", "Related Causes Code", "AA", "EM", "OA"),
                   s("1362", "Related Causes Code", "AA", "EM", "OA"),
                   s("1362", "Related Causes Code", "AA", "EM", "OA"),
                   s("156", "State Code"),
                   s("26", "Country Code"))),
               s("1338", "Level of Service Code", "03", "E", "U", check=True),  # §3.4: Fx 03; 4010 03,U
               s("1213", "Current Health Condition Code"),
               s("923", "Prognosis Code", *"12345678", check=True),
               s("1363", "Release of Information Code", "A", "I", "M", "O", "Y", check=True),
               s("1514", "Delay Reason Code"))


def hcr(level: str) -> Seg:
    codes = HCR01_EVENT if level == "E" else HCR01_SERVICE
    return seg("HCR", "Health Care Services Review", "S", 500, 1,
               r("306", "Action Code", *codes, check=True),
               s("127", "Review Identification Number"),
               s("1271", "Review Decision Reason Code"),  # code source 886: external, not in pyx12
               s("1073", "Second Surgical Opinion Indicator", "N", "Y", check=True))


def dtp(name: str, qualifier: str, formats: tuple[str, ...] = ("D8",)) -> Seg:
    return seg("DTP", name, "S", 700, 1,
               r("374", "Date Time Qualifier", qualifier),
               r("1250", "Date Time Period Format Qualifier", *formats),
               r("1251", "Date Time Period"))


def hi_diagnosis() -> Seg:
    def composite(index: int) -> Comp:
        codes = DX_FIRST if index == 1 else DX_OTHER
        return Comp("C022", f"Health Care Code Information {index}", "R" if index == 1 else "S", (
            r("1270", "Diagnosis Type Code", *codes, check=True),
            r("1271", "Diagnosis Code"),
            s("1250", "Date Time Period Format Qualifier", "D8"),
            s("1251", "Diagnosis Date"),
            n("782"), n("380"), n("799"), n("1271"), n("1073")))
    return seg("HI", "Patient Diagnosis", "S", 800, 1, *(composite(i) for i in range(1, 13)))


def hi_additional_information() -> Seg:
    """Response 2000F: the UMO asks for documents by LOINC code (§2.3, §1.3 #6)."""
    def composite(index: int) -> Comp:
        return Comp("C022", f"Request for Additional Information {index}", "R" if index == 1 else "S", (
            r("1270", "Code List Qualifier Code", "LOI", check=True),
            r("1271", "Industry Code"),
            n("1250"), n("1251"), n("782"), n("380"), n("799"), n("1271"), n("1073")))
    return seg("HI", "Request for Additional Information", "S", 800, 1, *(composite(i) for i in range(1, 13)))


def hsd() -> Seg:
    return seg("HSD", "Health Care Services Delivery", "S", 900, 1,
               s("673", "Quantity Qualifier", "DY", "FL", "HS", "MN", "VS", check=True),
               s("380", "Service Unit Count"),
               s("355", "Unit or Basis for Measurement Code", "DA", "MO", "WK", check=True),
               s("1167", "Sample Selection Modulus"),
               s("615", "Time Period Qualifier", "6", "7", "21", "26", "27", "29", "34", "35", check=True),
               s("616", "Period Count"),
               s("678", "Ship, Delivery or Calendar Pattern Code"),
               s("679", "Delivery Pattern Time Code"),
               syntax=("P0102", "C0605"))


CRC_CATEGORIES = (("07", "Ambulance Certification Information"),
                  ("08", "Chiropractic Certification Information"),
                  ("09", "Durable Medical Equipment Information"),
                  ("11", "Oxygen Therapy Certification Information"),
                  ("75", "Functional Limitations Information"),
                  ("76", "Activities Permitted Information"),
                  ("77", "Mental Status Information"))


def crc(category: str, name: str) -> Seg:
    return seg("CRC", name, "S", 1000, 1,
               r("1136", "Code Category", category),
               r("1073", "Certification Condition Indicator", "N", "Y", check=True),
               r("1321", "Condition Code"), s("1321", "Condition Code"), s("1321", "Condition Code"),
               s("1321", "Condition Code"), s("1321", "Condition Code"))


def cl1() -> Seg:
    return seg("CL1", "Institutional Claim Code", "S", 1100, 1,
               s("1315", "Admission Type Code"), s("1314", "Admission Source Code"),
               s("1352", "Patient Status Code"), s("1345", "Nursing Home Residential Status Code"))


def cr1(direction: str) -> Seg:
    # The TR3 response example sends CR1***X**DH*27 (no reason code): CR104 situational there.
    reason = "R" if direction == REQUEST else "S"
    return seg("CR1", "Ambulance Transport Information", "S", 1200, 1,
               s("355", "Unit or Basis for Measurement Code", "KG", "LB", check=True),
               s("81", "Patient Weight"),
               s("1316", "Ambulance Transport Code", "I", "R", "T", "X", check=True),
               El("1317", "Ambulance Transport Reason Code", reason, ("A", "B", "C", "D", "E"), check=True),
               s("355", "Unit or Basis for Measurement Code", "DH", check=True),
               s("380", "Transport Distance"),
               n("166"), n("166"),
               s("352", "Round Trip Purpose Description"),
               s("352", "Stretcher Purpose Description"),
               syntax=("P0102", "P0506"))


def cr2() -> Seg:
    return seg("CR2", "Spinal Manipulation Service Information", "S", 1300, 1,
               n("609"), n("380"), s("1367", "Subluxation Level Code"), s("1367", "Subluxation Level Code"),
               n("355"), n("380"), n("380"), s("1342", "Patient Condition Code"), n("1073"),
               s("352", "Patient Condition Description"), s("352", "Patient Condition Description"),
               s("1073", "X-ray Availability Indicator", "N", "Y", check=True))


def cr5() -> Seg:
    return seg("CR5", "Home Oxygen Therapy Information", "S", 1400, 1,
               n("1322"), n("380"), s("1348", "Oxygen Equipment Type Code"), s("1348", "Oxygen Equipment Type Code"),
               s("352", "Equipment Reason Description"), s("380", "Oxygen Flow Rate"),
               s("380", "Daily Oxygen Use Count"), s("380", "Oxygen Use Period Hour Count"),
               s("352", "Respiratory Therapist Order Text"), s("380", "Arterial Blood Gas Quantity"),
               s("380", "Oxygen Saturation Quantity"), s("1349", "Oxygen Test Condition Code"),
               s("1350", "Oxygen Test Findings Code"), s("1350", "Oxygen Test Findings Code"),
               s("1350", "Oxygen Test Findings Code"), s("380", "Portable Oxygen System Flow Rate"),
               s("1382", "Oxygen Delivery System Code"), s("1348", "Oxygen Equipment Type Code"))


def cr6() -> Seg:
    # TR3 example: CR6*1*20050502*RD8*20050502-20050801***W*I (CR607 W = not applicable).
    return seg("CR6", "Home Health Care Information", "S", 1500, 1,
               r("923", "Prognosis Code", *"12345678", check=True),
               r("373", "Service From Date"),
               s("1250", "Date Time Period Format Qualifier", "RD8"),
               s("1251", "Home Health Certification Period"),
               n("373"), n("1073"),
               r("1073", "Medicare Coverage Indicator", "N", "U", "W", "Y", check=True),
               r("1322", "Certification Type Code", *CERT_TYPES, check=True),
               n("373"), n("235"), n("1137"), n("373"), n("373"), n("373"), n("1250"), n("1251"),
               n("1384"), n("373"), n("373"), n("373"), n("373"),
               syntax=("P0304",))


def pwk(name: str, direction: str) -> Seg:
    transmission = ("AA", "BM", "EL", "EM", "FX", "VO") if direction == REQUEST else (
        "BM", "EL", "EM", "FX", "VO")  # §3.10: no AA in the response
    return seg("PWK", name, "S", 1550, 10,
               r("755", "Attachment Report Type Code", *PWK01_CODES, check=True),
               r("756", "Attachment Transmission Code", *transmission, check=True),
               n("757"), n("98"),
               s("66", "Identification Code Qualifier", "AC", check=True),
               s("67", "Attachment Control Number"),
               s("352", "Attachment Description"),
               Comp("C002", "Actions Indicated", "N", (n("704"),)),
               n("1525"),
               syntax=("P0506",))


def msg() -> Seg:
    return seg("MSG", "Message Text", "S", 1600, 1, r("933", "Free-Form Message Text"), n("934"), n("1470"))


def sv1() -> Seg:
    return seg("SV1", "Professional Service", "S", 810, 1,
               Comp("C003", "Composite Medical Procedure Identifier", "R", (
                   r("235", "Product or Service ID Qualifier", "HC", "IV", "N4", "WK", check=True),
                   r("234", "Procedure Code"),
                   s("1339", "Procedure Modifier"), s("1339", "Procedure Modifier"),
                   s("1339", "Procedure Modifier"), s("1339", "Procedure Modifier"),
                   s("352", "Procedure Code Description"), n("234"))),
               s("782", "Line Item Charge Amount"),
               s("355", "Unit or Basis for Measurement Code", "DA", "F2", "MJ", "UN", check=True),
               s("380", "Service Unit Count"),
               s("1331", "Place of Service Code"),
               n("1365"),
               Comp("C004", "Composite Diagnosis Code Pointer", "N", (n("1328"),)),
               n("782"), n("1073"), n("1073"), s("1073", "EPSDT Indicator", "N", "Y", check=True),
               n("1340"), n("1073"), n("1364"), n("1341"), n("1327"), n("1334"), n("116"), n("380"),
               s("1337", "Level of Care Code"),
               syntax=("P0304",))


def sv2() -> Seg:
    return seg("SV2", "Institutional Service Line", "S", 820, 1,
               s("234", "Service Line Revenue Code"),
               Comp("C003", "Composite Medical Procedure Identifier", "S", (
                   r("235", "Product or Service ID Qualifier", "HC", "IV", "N4", "WK"),
                   r("234", "Procedure Code"),
                   s("1339", "Procedure Modifier"), s("1339", "Procedure Modifier"),
                   s("1339", "Procedure Modifier"), s("1339", "Procedure Modifier"),
                   s("352", "Procedure Code Description"), n("234"))),
               s("782", "Line Item Charge Amount"),
               s("355", "Unit or Basis for Measurement Code", "DA", "UN", check=True),
               s("380", "Service Unit Count"),
               s("1371", "Unit Rate"),
               n("782"), n("1073"), s("1345", "Nursing Home Residential Status Code"),
               s("1337", "Level of Care Code"),
               syntax=("P0405",))


def sv3() -> Seg:
    return seg("SV3", "Dental Service", "S", 830, 1,
               Comp("C003", "Composite Medical Procedure Identifier", "R", (
                   r("235", "Product or Service ID Qualifier", "AD", check=True),
                   r("234", "Procedure Code"),
                   s("1339", "Procedure Modifier"), s("1339", "Procedure Modifier"),
                   s("1339", "Procedure Modifier"), s("1339", "Procedure Modifier"),
                   s("352", "Procedure Code Description"), n("234"))),
               s("782", "Line Item Charge Amount"),
               n("1331"),
               Comp("C006", "Oral Cavity Designation", "S", (
                   r("1361", "Oral Cavity Designation Code"), s("1361", "Oral Cavity Designation Code"),
                   s("1361", "Oral Cavity Designation Code"), s("1361", "Oral Cavity Designation Code"),
                   s("1361", "Oral Cavity Designation Code"))),
               n("1358"),
               s("380", "Procedure Count"))


def too() -> Seg:
    return seg("TOO", "Tooth Information", "S", 840, 32,
               r("1270", "Code List Qualifier Code", "JP", check=True),
               r("1271", "Tooth Number"),
               Comp("C005", "Tooth Surface", "S", (
                   r("1369", "Tooth Surface Code"), s("1369", "Tooth Surface Code"),
                   s("1369", "Tooth Surface Code"), s("1369", "Tooth Surface Code"),
                   s("1369", "Tooth Surface Code"))))


EVENT_DATES = (("Accident Date", "439", ("D8",)), ("Last Menstrual Period Date", "484", ("D8",)),
               ("Estimated Date of Birth", "ABC", ("D8",)),
               ("Onset of Current Symptoms or Illness Date", "431", ("D8",)),
               ("Event Date", "AAH", ("D8", "RD8")), ("Admission Date", "435", ("D8", "RD8")),
               ("Discharge Date", "096", ("D8",)))
CERTIFICATION_DATES = (("Certification Issue Date", "102", ("D8",)),
                       ("Certification Expiration Date", "036", ("D8",)),
                       ("Certification Effective Date", "007", ("D8", "RD8")))


# --- loops -------------------------------------------------------------------------------------


def loop_2010f(direction: str) -> list[Loop]:
    if direction == REQUEST:
        return [loop("2010F", "Service Provider Name", "S", 1700, 10,  # repeat 10: PAS; unconfirmed
                     nm1("Service Provider Name", SERVICE_PROVIDER_CODES, ("1", "2"), PROVIDER_NM108),
                     ref("Service Provider Supplemental Identification", 1800, 7, PROVIDER_REF_CODES, True),
                     n3("Service Provider Address"), n4("Service Provider City, State, ZIP Code"),
                     per("Service Provider Contact Information"),
                     prv("Service Provider Information", ("AS", "OP", "OR", "OT", "PC", "PE")))]
    return [loop("2010FA", "Service Provider Name", "S", 1700, 10,
                 nm1("Service Provider Name", SERVICE_PROVIDER_CODES[1:], ("1", "2"), PROVIDER_NM108),
                 ref("Service Provider Supplemental Identification", 1800, 7,
                     (*PROVIDER_REF_CODES, "G5"), True),
                 n3("Service Provider Address"), n4("Service Provider City, State, ZIP Code"),
                 per("Service Provider Contact Information"),
                 aaa("Service Provider Request Validation", 2300),
                 prv("Service Provider Information", ("AS", "OP", "OR", "OT", "PC", "PE"))),
            loop("2010FB", "Additional Service Information Contact Name", "S", 1700, 1,
                 nm1("Additional Service Information Contact Name", ("L5",), ("1", "2"), None),
                 n3("Additional Service Information Contact Address"),
                 n4("Additional Service Information Contact City, State, ZIP Code"),
                 per("Additional Service Information Contact Information"))]


def loop_2000f(direction: str) -> Loop:
    children: list[Seg | Loop] = [hl("Service Level", "SS", True, ("0",)), trn("Service Trace Number", direction)]
    if direction == RESPONSE:
        children.append(aaa("Service Request Validation", 300))
    children.append(um("F"))
    if direction == RESPONSE:
        children.append(hcr("F"))
    children += [ref("Previous Review Authorization Number", 600, 1, ("BB",)),
                 ref("Previous Review Administrative Reference Number", 600, 1, ("NT",))]
    children.append(dtp("Service Date", "472", ("D8", "RD8")))
    if direction == RESPONSE:
        children += [dtp(name, code, formats) for name, code, formats in CERTIFICATION_DATES]
        children.append(hi_additional_information())
    children += [sv1(), sv2(), sv3(), too(), hsd(),
                 pwk("Additional Service Information", direction), msg(), *loop_2010f(direction)]
    return loop("2000F", "Service Level", "S", 1800, ">1", *children)


def loop_2010e(direction: str) -> list[Loop]:
    provider = [nm1("Patient Event Provider Name", EVENT_PROVIDER_CODES, ("1", "2"), PROVIDER_NM108),
                ref("Patient Event Provider Supplemental Information", 1800, 7, PROVIDER_REF_CODES, True),
                n3("Patient Event Provider Address"), n4("Patient Event Provider City, State, ZIP Code"),
                per("Patient Event Provider Contact Information")]
    if direction == RESPONSE:
        provider.append(aaa("Patient Event Provider Request Validation", 2300))
    provider.append(prv("Patient Event Provider Information",
                        ("AD", "AS", "AT", "OP", "OR", "OT", "PC", "PE", "RF")))
    transport_codes = ("45", "FS", "ND", "PW", "R3")
    transport = [nm1("Patient Event Transport Information", transport_codes, ("2",), None, person=False),
                 n3("Patient Event Transport Location Address", "R"),
                 n4("Patient Event Transport Location City, State, ZIP Code", "R")]
    loops = [loop("2010EA", "Patient Event Provider Name", "S", 1700, 14, *provider)]  # 14: PAS/8020
    if direction == REQUEST:
        loops.append(loop("2010EB", "Patient Event Transport Information", "S", 1700, 5, *transport))
        loops.append(loop("2010EC", "Patient Event Other UMO Name", "S", 1700, 3,
                          nm1("Other UMO Name", ("00", "CA", "GG"), ("2",), None, person=False),
                          ref("Other UMO Denial Reason", 1800, 1, ("ZZ",)),
                          renamed(dtp("Other UMO Denial Date", "598"), pos=2700)))
    else:
        loops.append(loop("2010EB", "Additional Patient Information Contact Name", "S", 1700, 1,
                          nm1("Additional Patient Information Contact Name", ("L5",), ("1", "2"), None),
                          n3("Additional Patient Information Contact Address"),
                          n4("Additional Patient Information Contact City, State, ZIP Code"),
                          per("Additional Patient Information Contact Information")))
        transport.append(aaa("Patient Event Transport Request Validation", 2300))
        loops.append(loop("2010EC", "Patient Event Transport Information", "S", 1700, 5, *transport))
    return loops


def loop_2000e(direction: str, pos: int, usage: str = "R") -> Loop:
    """The patient event; ``usage`` S under 2000C (the patient may be a dependent instead)."""
    children: list[Seg | Loop] = [hl("Patient Event Level", "EV", True, ("0", "1")),
                                  trn("Patient Event Tracking Number", direction)]
    if direction == RESPONSE:
        children.append(aaa("Patient Event Request Validation", 300))
    children.append(um("E"))
    if direction == RESPONSE:
        children.append(hcr("E"))
        children.append(ref("Administrative Reference Number", 600, 1, ("NT",)))
        children.append(ref("Previous Review Authorization Number", 600, 1, ("BB",)))
    else:
        children.append(ref("Previous Review Authorization Number", 600, 1, ("BB",)))
        children.append(ref("Previous Review Administrative Reference Number", 600, 1, ("NT",)))
    children += [dtp(name, code, formats) for name, code, formats in EVENT_DATES]
    if direction == RESPONSE:
        children += [dtp(name, code, formats) for name, code, formats in CERTIFICATION_DATES]
    children += [hi_diagnosis(), hsd()]
    if direction == REQUEST:  # EF: no CRC in the response 2000E
        children += [crc(code, name) for code, name in CRC_CATEGORIES]
    children += [cl1(), cr1(direction), cr2(), cr5(), cr6(),
                 pwk("Additional Patient Information", direction), msg(),
                 *loop_2010e(direction), loop_2000f(direction)]
    # Repeat: 1 in the request (one review per transaction, 8020), >1 in the response (EF list).
    return loop("2000E", "Patient Event Level", usage, pos, 1 if direction == REQUEST else ">1", *children)


def loop_2000d(direction: str) -> Loop:
    name = [nm1("Dependent Name", ("QC",), ("1",), ("MI",)),
            ref("Dependent Supplemental Identification", 1800, 3, ("EJ", "SY")),
            n3("Dependent Address"), n4("Dependent City, State, ZIP Code")]
    if direction == RESPONSE:
        name.append(aaa("Dependent Request Validation", 2300))
    name += [dmg("Dependent Demographic Information"),
             ins("Dependent Relationship", "N", ("01", "19", "G8"))]
    return loop("2000D", "Dependent Level", "S", 1800, 1,
                hl("Dependent Level", "23", True, ("1",)),
                loop("2010D", "Dependent Name", "R", 1700, 1, *name),
                loop_2000e(direction, 1800))


def loop_2000c(direction: str) -> Loop:
    name = [nm1("Subscriber Name", ("IL",), ("1",), ("MI", "ZZ"), id_usage="R"),
            ref("Subscriber Supplemental Identification", 1800, 9,
                ("1L", "3L", "6P", "DP", "EJ", "F6", "HJ", "IG", "N6", "NQ", "SY")),
            n3("Subscriber Address"), n4("Subscriber City, State, ZIP Code")]
    if direction == RESPONSE:
        name.append(aaa("Subscriber Request Validation", 2300))
    name += [dmg("Subscriber Demographic Information"), ins("Subscriber Relationship", "Y", ("18",))]
    return loop("2000C", "Subscriber Level", "R", 1800, 1,
                hl("Subscriber Level", "22", True, ("1",)),
                loop("2010C", "Subscriber Name", "R", 1700, 1, *name),
                loop_2000d(direction),
                # S here: when a 2000D follows, the event hangs under the dependent instead.
                loop_2000e(direction, 1810, "S"))


def loop_2000b(direction: str) -> Loop:
    entities = ("1P", "2B", "36", "FA", "PR") if direction == REQUEST else ("1P", "FA")  # §1.3 #4
    name: list[Seg] = [nm1("Requester Name", entities, ("1", "2"), PROVIDER_NM108, id_usage="R"),
                       ref("Requester Supplemental Identification", 1800, 8,
                           ("1G", "1J", "EI", "G5", "N5", "N7", "SY", "ZH"))]
    if direction == REQUEST:
        name += [n3("Requester Address"), n4("Requester City, State, ZIP Code"),
                 per("Requester Contact Information")]
    else:
        name.append(aaa("Requester Request Validation", 2300))
    name.append(prv("Requester Provider Information",
                    ("AD", "AS", "AT", "CO", "CV", "OP", "OR", "OT", "PC", "PE", "RF")))
    return loop("2000B", "Requester Level", "R", 1800, 1,
                hl("Requester Level", "21", True, ("1",)),
                loop("2010B", "Requester Name", "R", 1700, 1, *name),
                loop_2000c(direction))


def loop_2000a(direction: str) -> Loop:
    umo: list[Seg] = [nm1("Utilization Management Organization (UMO) Name", ("X3", "PR", "2B", "36"),
                          ("1", "2"), NM108_CODES, id_usage="R")]
    children: list[Seg | Loop] = [hl("Utilization Management Organization (UMO) Level", "20", False, ("1",))]
    if direction == RESPONSE:
        children.append(aaa("Request Validation", 300))
        umo += [per("UMO Contact Information"), aaa("UMO Request Validation", 2300)]
    children.append(loop("2010A", "Utilization Management Organization (UMO) Name", "R", 1700, 1, *umo))
    children.append(loop_2000b(direction))
    return loop("2000A", "Utilization Management Organization (UMO) Level", "R", 100, 1, *children)


def bht(direction: str) -> Seg:
    purposes = ("01", "13", "36") if direction == REQUEST else ("11",)  # §3.1
    types = ("RU",) if direction == REQUEST else ("18", "19", "RU")
    return seg("BHT", "Beginning of Hierarchical Transaction", "R", 100, 1,
               r("1005", "Hierarchical Structure Code", "0007", check=True),
               r("353", "Transaction Set Purpose Code", *purposes, check=True),
               r("127", "Submitter Transaction Identifier"),
               r("373", "Transaction Set Creation Date"),
               r("337", "Transaction Set Creation Time"),
               s("640", "Transaction Type Code", *types))


def transaction_body(direction: str) -> tuple[Seg, Loop]:
    """BHT (for the HEADER wrapper) and the 2000A tree (for DETAIL)."""
    return bht(direction), loop_2000a(direction)


