"""Claim Adjustment Reason Codes (X12 external code source 139) used in pain-management remits.

Source: the CARC list maintained by X12 and published at x12.org/codes (claim adjustment reason
codes), checked against CMS MLN remittance guides.  No maintained PyPI package ships this list
with descriptions (x12sdk 2.2.0 deliberately ships none, edi-835-parser 1.8.0 has 22 codes and
was last released in 2024), so this is our own short wording of each code's meaning, not the
official text; look a code up there for the exact words and usage notes.  Codes not listed
here are shown as "CARC nn (see x12.org/codes)".  Add codes as remits bring them.
"""

from __future__ import annotations

CARC: dict[str, str] = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "Procedure code inconsistent with the modifier used, or a required modifier is missing",
    "5": "Procedure code or bill type inconsistent with the place of service",
    "6": "Procedure or revenue code inconsistent with the patient's age",
    "11": "Diagnosis inconsistent with the procedure",
    "15": "Authorization number missing, invalid or does not apply to the billed service or provider",
    "16": "Claim or service lacks information or has submission/billing errors",
    "18": "Exact duplicate claim or service",
    "22": "Care may be covered by another payer per coordination of benefits",
    "23": "Impact of prior payer(s) adjudication, including payments and/or adjustments",
    "24": "Charges covered under a capitation agreement or managed care plan",
    "26": "Expenses incurred before coverage",
    "27": "Expenses incurred after coverage terminated",
    "29": "Time limit for filing has expired",
    "31": "Patient cannot be identified as our insured",
    "42": "Charges exceed our fee schedule or maximum allowable amount",
    "45": "Charge exceeds fee schedule, maximum allowable or contracted/legislated fee arrangement",
    "50": "Non-covered service: not deemed a medical necessity by the payer",
    "55": "Procedure, treatment or drug deemed experimental or investigational by the payer",
    "56": "Procedure or treatment not deemed proven to be effective by the payer",
    "58": "Treatment deemed rendered in an inappropriate or invalid place of service",
    "59": "Processed under multiple or concurrent procedure rules",
    "94": "Processed in excess of charges",
    "96": "Non-covered charge(s)",
    "97": "Benefit for this service is included in the payment for another service already adjudicated",
    "109": "Claim or service not covered by this payer; send it to the correct payer",
    "119": "Benefit maximum for this time period or occurrence has been reached",
    "129": "Prior processing information appears incorrect",
    "131": "Claim-specific negotiated discount",
    "146": "Diagnosis was invalid for the date(s) of service reported",
    "149": "Lifetime benefit maximum has been reached for this service or benefit category",
    "151": "Payer deems the information submitted does not support this many or this frequency of services",
    "167": "This diagnosis (or these diagnoses) is not covered",
    "170": "Payment denied when performed or billed by this type of provider",
    "181": "Procedure code was invalid on the date of service",
    "182": "Procedure modifier was invalid on the date of service",
    "185": "Rendering provider not eligible to perform the service billed",
    "189": "Not otherwise classified or unlisted procedure code billed when a specific code exists",
    "197": "Precertification, authorization, notification or pre-treatment absent",
    "198": "Precertification, notification, authorization or pre-treatment exceeded",
    "199": "Revenue code and procedure code do not match",
    "204": "Service, equipment or drug not covered under the patient's current benefit plan",
    "208": "National Provider Identifier not matched",
    "210": "Payment adjusted because pre-certification or authorization was not received in time",
    "222": "Exceeds the contracted maximum number of hours, days or units by this provider for this period",
    "226": "Information requested from the billing or rendering provider was not provided or was insufficient",
    "227": "Information requested from the patient, insured or responsible party was not provided or was insufficient",
    "234": "This procedure is not paid separately",
    "236": "Procedure or procedure/modifier combination not compatible with another procedure on the same day",
    "242": "Services not provided by network or primary care providers",
    "243": "Services not authorized by network or primary care providers",
    "252": "An attachment or other documentation is required to adjudicate this claim or service",
    "253": "Sequestration: reduction of federal payment",
    "256": "Service not payable per managed care contract",
    "272": "Coverage or program guidelines were not met",
    "273": "Coverage or program guidelines were exceeded",
    "A1": "Claim or service denied",
    "A2": "Contractual adjustment",
    "A7": "Presumptive payment adjustment",
    "B7": "Provider was not certified or eligible to be paid for this procedure on the date of service",
    "B15": "Requires a qualifying service or procedure that was not received or adjudicated",
    "P1": "State-mandated requirement for property and casualty",
}

GROUPS: dict[str, str] = {
    "CO": "contractual obligation (provider write-off)",
    "CR": "correction or reversal",
    "OA": "other adjustment",
    "PI": "payer-initiated reduction",
    "PR": "patient responsibility",
}

# CLP02 claim status codes (835 TR3).
CLAIM_STATUS: dict[str, str] = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to additional payer(s)",
    "20": "processed as secondary, forwarded to additional payer(s)",
    "21": "processed as tertiary, forwarded to additional payer(s)",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer(s)",
    "25": "predetermination pricing only, no payment",
}

# PLB03-1 provider adjustment reason codes (835 TR3), the ones a clinic meets.
PROVIDER_ADJUSTMENT: dict[str, str] = {
    "72": "authorized return",
    "90": "early payment allowance",
    "AP": "acceleration of benefits",
    "B2": "rebate",
    "BD": "bad debt adjustment",
    "CS": "adjustment",
    "CV": "capital passthru",
    "FB": "forwarding balance",
    "IR": "internal revenue service withholding",
    "L6": "interest owed",
    "WO": "overpayment recovery",
    "WU": "unspecified recovery",
}
