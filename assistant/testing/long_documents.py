"""Generated multi-page documents with known facts on known pages, for summary and extraction tests.

Each page carries one distinctive fact (a name, an amount, a date) among ordinary
filler, so a test or the benchmark can check that a summary cites pages which really
say what the bullet states, and that it draws on the whole document.
"""

from __future__ import annotations

from dataclasses import dataclass

_FILLER = (
    "Each party shall act in good faith and keep the other informed of matters that affect this agreement. "
    "Headings are for convenience only and do not affect interpretation."
)


@dataclass(frozen=True)
class GeneratedDocument:
    pages: list[str]
    facts: dict[int, str]  # page number -> the distinctive phrase on it


CONTRACT_FACTS = [
    "This Services Agreement is made on 3 March 2025 between Harbourview Properties Ltd and Linden Architects LLP.",
    "The agreement runs for an initial term of thirty-six months from the effective date.",
    "Linden Architects LLP shall deliver the design drawings for the Quayside Tower project.",
    "Harbourview Properties Ltd shall pay a monthly fee of 18,500 pounds within 30 days of each invoice.",
    "Late payments carry interest at four percent above the Bank of England base rate.",
    "Linden Architects LLP shall keep professional indemnity insurance of 5 million pounds.",
    "The total liability of either party is capped at 2 million pounds.",
    "All drawings remain the intellectual property of Linden Architects LLP until paid in full.",
    "Harbourview Properties Ltd may request up to twelve design revisions per year without extra charge.",
    "The site office is located at 14 Dockside Road, Bristol.",
    "Either party may terminate this agreement on ninety days written notice.",
    "Harbourview Properties Ltd may terminate immediately if Linden Architects LLP becomes insolvent.",
    "Confidential information must be kept secret for five years after termination.",
    "Linden Architects LLP shall not hire employees of Harbourview Properties Ltd during the term.",
    "Disputes go first to mediation by the Bristol Chamber of Commerce.",
    "A penalty of 500 pounds per day applies to delays in the drawings beyond the agreed dates.",
    "Force majeure suspends the obligations of the affected party for up to sixty days.",
    "The key contact for Linden Architects LLP is Miriam Okafor, senior partner.",
    "This agreement is governed by the laws of England and Wales.",
    "Signed for Harbourview Properties Ltd by Daniel Reyes, managing director.",
]

MEDICAL_FACTS = [
    "Patient: Eleanor Whitcombe, born 14 June 1958, admitted on 2 February 2025.",
    "Presenting complaint: chest pain radiating to the left arm for two hours.",
    "Known allergy to penicillin, which causes a widespread rash.",
    "Electrocardiogram showed ST elevation in the inferior leads.",
    "Diagnosis: acute inferior myocardial infarction.",
    "Coronary angiography on 2 February 2025 found a blocked right coronary artery.",
    "A drug-eluting stent was placed in the right coronary artery.",
    "Started aspirin 75 mg once daily and ticagrelor 90 mg twice daily.",
    "Atorvastatin 80 mg at night was started for high cholesterol.",
    "Echocardiogram showed an ejection fraction of 45 percent.",
    "Bisoprolol 2.5 mg once daily was added for heart rate control.",
    "Type 2 diabetes is managed with metformin 500 mg twice daily.",
    "HbA1c was 58 mmol/mol on admission.",
    "The patient reported intolerance to codeine, which causes nausea.",
    "Physiotherapy assessment cleared the patient to climb stairs.",
    "Discharged home on 6 February 2025 in a stable condition.",
    "Cardiac rehabilitation referral made to the Bristol Heart Centre.",
    "Follow-up appointment in the cardiology clinic on 20 March 2025.",
    "Repeat blood tests for kidney function are due in two weeks.",
    "Letter written by Dr Samuel Adeyemi, consultant cardiologist.",
]


def _document(facts: list[str], heading: str) -> GeneratedDocument:
    pages = [f"{heading}, page {n}\n{fact}\n{_FILLER}" for n, fact in enumerate(facts, start=1)]
    return GeneratedDocument(pages, dict(enumerate(facts, start=1)))


def long_contract() -> GeneratedDocument:
    """A 20-page services agreement: parties and date on page 1, governing law on page 19."""
    return _document(CONTRACT_FACTS, "Services Agreement")


def medical_record() -> GeneratedDocument:
    """A 20-page hospital record: allergies on pages 3 and 14, follow-up on page 18."""
    return _document(MEDICAL_FACTS, "Discharge record")


def short_contract(landlord: str, tenant: str, date: str, rent: str, law: str) -> list[str]:
    """A three-page lease: parties and date on page 1, rent on page 2, governing law on page 3."""
    return [
        f"Lease Agreement\nThis Lease is made on {date} between {landlord} (the Landlord)\n"
        f"and {tenant} (the Tenant).",
        f"Rent\nThe Tenant shall pay rent of {rent} per month, in advance.\n{_FILLER}",
        f"Law\nThis Lease is governed by the laws of {law}.\nEither party may end it on sixty days notice.",
    ]


# An 8-page policy whose sentences are long: each part's one sentence is worth a summary line,
# and the summary has the model shorten each.
POLICY = [
    (
        "Scope",
        "This policy applies to every employee, contractor and agency worker of Fenwick Logistics "
        "who handles personal data of customers, suppliers or colleagues in any country where the "
        "company operates, whether on company premises or while working from home.",
    ),
    (
        "Retention",
        "Customer records must be kept for no longer than 7 years after the end of the customer "
        "relationship, unless a court order or a regulator requires them to be kept for longer, "
        "and they must then be deleted from every system and backup.",
    ),
    (
        "Breaches",
        "A suspected data breach must be reported to the Data Protection Officer, Priya Raman, within "
        "24 hours of its discovery, and the company will notify the regulator within 72 hours where "
        "the breach is likely to result in a risk to the rights of the people concerned.",
    ),
    (
        "Transfers",
        "Personal data may not be transferred outside the European Economic Area without a written "
        "transfer assessment approved by the Data Protection Officer and standard contractual clauses "
        "signed by the recipient before the first transfer takes place.",
    ),
]
POLICY += [
    (
        "Training",
        "Every new member of staff completes the data protection course within their first month, "
        "and managers confirm each year, in the annual review held every April, that their team "
        "members have completed the refresher module on the learning portal.",
    ),
    (
        "Access",
        "Access to payroll and health records is granted only to named roles approved by the head of "
        "human resources, reviewed every quarter by the security team, and withdrawn on the day a "
        "person changes role or leaves the company.",
    ),
    (
        "Devices",
        "Laptops and phones that hold personal data must use full-disk encryption and a screen lock of "
        "at most 5 minutes, and a lost or stolen device must be reported to the service desk on the "
        "same day so that it can be wiped remotely.",
    ),
    (
        "Review",
        "The Data Protection Officer reviews this policy at least once every 2 years, or sooner when "
        "the law changes, and the board approves each revised version before it is published on the "
        "staff intranet and announced to all employees.",
    ),
]
_POLICY_FILLER = (
    "Staff should read this policy together with the information security handbook and the code of conduct."
)


def policy_pages() -> list[str]:
    """Eight numbered parts, one long sentence each; the first page adds a short one."""
    pages = [f"{number}. {heading}\n{sentence}" for number, (heading, sentence) in enumerate(POLICY, start=1)]
    pages[0] += f"\n{_POLICY_FILLER}"
    return pages
