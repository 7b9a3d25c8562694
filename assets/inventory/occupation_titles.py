"""An occupation named in words (`onet_soc_code` / `occupation` = "Paralegal") -> its code.

People write a job, not O*NET's title: singular ("Software Developer"), one part of a combined title
("Paralegal" for "Paralegals and Legal Assistants"), `&` for "and". A title is resolved when, after
folding those differences, it names exactly one occupation; otherwise it is used as text only, and
the flag names the titles that contain all its words, for the user to write one of them. A single
word is read as a part only when no other occupation's title ends or starts with it: 'Judge' could
be Administrative Law Judges, 'Writer' Technical Writers, 'Security' leads Security Guards.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from assets.inventory.matching.spelling import us_spelling
from assets.inventory.occupation_codes import soc_prefixes

_WORD = re.compile(r"[a-z0-9]+")
_PARTS = re.compile(r",|;|\band\b|\bor\b|\(|\)")
_UNINFORMATIVE_PARTS = {"other"}
# one word with these endings names a field, not a person ('Commodities', 'Promotions', 'Fitness' of
# combined titles such as 'Fitness and Wellness Coordinators')
_NOT_A_JOB = ("ion", "ity", "ness", "ing", "ment", "ics")
# plural nouns in combined titles that name things, not people ('Public Relations and Fundraising
# Managers', 'Compensation, Benefits, and Job Analysis Specialists')
_NOT_PEOPLE = frozenset(
    {
        "relation",
        "benefit",
        "product",
        "vehicle",
        "activity",
        "material",
        "fiber",
        "animal",
        "service",
        "good",
    }
)
# words of seniority or level that name no other occupation ('Senior Accountant', 'Software Engineer II')
_LEVELS = frozenset({"senior", "sr", "junior", "jr", "staff", "principal", "lead", "i", "ii", "iii", "iv"})


# What people call some occupations, and O*NET's title for it: abbreviations, and names O*NET does
# not use (a software engineer is a Software Developer; a medical coder a Medical Records Specialist)
_COMMON_NAMES = {
    "rn": "Registered Nurses",
    "np": "Nurse Practitioners",
    "lpn": "Licensed Practical and Licensed Vocational Nurses",
    "lvn": "Licensed Practical and Licensed Vocational Nurses",
    "emt": "Emergency Medical Technicians",
    "cpa": "Accountants and Auditors",
    "attorney": "Lawyers",
    "software engineer": "Software Developers",
    "medical coder": "Medical Records Specialists",
    "bookkeeper": "Bookkeeping, Accounting, and Auditing Clerks",
    "customer service agent": "Customer Service Representatives",
    "customer support agent": "Customer Service Representatives",
    "recruiter": "Human Resources Specialists",
    "hr specialist": "Human Resources Specialists",
    "help desk technician": "Computer User Support Specialists",
    "it support specialist": "Computer User Support Specialists",
    "system administrator": "Network and Computer Systems Administrators",
    "sysadmin": "Network and Computer Systems Administrators",
    "network administrator": "Network and Computer Systems Administrators",
    "financial analyst": "Financial and Investment Analysts",
    "project manager": "Project Management Specialists",
    "copywriter": "Writers and Authors",
    # names a survey of ~500 tracker titles found unresolved, each with one clear occupation (27 Nov
    # 2026; left out as ambiguous: Architect, Controller, Pathologist, Programmer, Reporter, Network
    # Engineer, Security Analyst, CFO/COO/CIO/CTO). Keys are folded (fold): singular, no punctuation
    "account payable clerk": "Bookkeeping, Accounting, and Auditing Clerks",
    "admin assistant": "Secretaries and Administrative Assistants, Except Legal, Medical, and Executive",
    "administrative assistant": "Secretaries and Administrative Assistants, Except Legal, Medical, and Executive",
    "ai researcher": "Computer and Information Research Scientists",
    "auditor": "Accountants and Auditors",
    "auto mechanic": "Automotive Service Technicians and Mechanics",
    "backend engineer": "Software Developers",
    "bank teller": "Tellers",
    "bi analyst": "Business Intelligence Analysts",
    "billing specialist": "Billing and Posting Clerks",
    "call center agent": "Customer Service Representatives",
    "ceo": "Chief Executives",
    "certified nursing assistant": "Nursing Assistants",
    "charge nurse": "Registered Nurses",
    "chemistry professor": "Chemistry Teachers, Postsecondary",
    "chief executive officer": "Chief Executives",
    "claim examiner": "Claims Adjusters, Examiners, and Investigators",
    "clinical psychologist": "Clinical and Counseling Psychologists",
    "cna": "Nursing Assistants",
    "computer scientist": "Computer and Information Research Scientists",
    "construction worker": "Construction Laborers",
    "content writer": "Writers and Authors",
    "cop": "Police and Sheriff's Patrol Officers",
    "copy editor": "Editors",
    "corporate lawyer": "Lawyers",
    "crna": "Nurse Anesthetists",
    "csr": "Customer Service Representatives",
    "customer service rep": "Customer Service Representatives",
    "cybersecurity analyst": "Information Security Analysts",
    "data entry clerk": "Data Entry Keyers",
    "dba": "Database Administrators",
    "dean": "Education Administrators, Postsecondary",
    "diesel mechanic": "Bus and Truck Mechanics and Diesel Engine Specialists",
    "emergency physician": "Emergency Medicine Physicians",
    "er doctor": "Emergency Medicine Physicians",
    "executive assistant": "Executive Secretaries and Executive Administrative Assistants",
    "family physician": "Family Medicine Physicians",
    "film editor": "Film and Video Editors",
    "finance manager": "Financial Managers",
    "financial advisor": "Personal Financial Advisors",
    "financial planner": "Personal Financial Advisors",
    "fitness trainer": "Exercise Trainers and Group Fitness Instructors",
    "forklift operator": "Industrial Truck and Tractor Operators",
    "fp and a analyst": "Financial and Investment Analysts",
    "fraud analyst": "Fraud Examiners, Investigators and Analysts",
    "fraud investigator": "Fraud Examiners, Investigators and Analysts",
    "frontend engineer": "Web Developers",
    "game designer": "Video Game Designers",
    "general counsel": "Lawyers",
    "general manager": "General and Operations Managers",
    "general surgeon": "Surgeons, All Other",
    "geologist": "Geoscientists, Except Hydrologists and Geographers",
    "hardware engineer": "Computer Hardware Engineers",
    "head chef": "Chefs and Head Cooks",
    "high school teacher": "Secondary School Teachers, Except Special and Career/Technical Education",
    "hotel manager": "Lodging Managers",
    "housekeeper": "Maids and Housekeeping Cleaners",
    "hr generalist": "Human Resources Specialists",
    "hr manager": "Human Resources Managers",
    "hvac tech": "Heating, Air Conditioning, and Refrigeration Mechanics and Installers",
    "hvac technician": "Heating, Air Conditioning, and Refrigeration Mechanics and Installers",
    "icu nurse": "Critical Care Nurses",
    "illustrator": "Fine Artists, Including Painters, Sculptors, and Illustrators",
    "instructional designer": "Instructional Coordinators",
    "insurance agent": "Insurance Sales Agents",
    "insurance broker": "Insurance Sales Agents",
    "internal auditor": "Accountants and Auditors",
    "internist": "General Internal Medicine Physicians",
    "ios developer": "Software Developers",
    "it manager": "Computer and Information Systems Managers",
    "it project manager": "Information Technology Project Managers",
    "it support": "Computer User Support Specialists",
    "landscaper": "Landscaping and Groundskeeping Workers",
    "law clerk": "Judicial Law Clerks",
    "law professor": "Law Teachers, Postsecondary",
    "line cook": "Cooks, Restaurant",
    "loan processor": "Loan Interviewers and Clerks",
    "logistic manager": "Transportation, Storage, and Distribution Managers",
    "management consultant": "Management Analysts",
    "marketing analyst": "Market Research Analysts and Marketing Specialists",
    "meeting planner": "Meeting, Convention, and Event Planners",
    "mobile developer": "Software Developers",
    "network architect": "Computer Network Architects",
    "nurse manager": "Medical and Health Services Managers",
    "ob gyn": "Obstetricians and Gynecologists",
    "office clerk": "Office Clerks, General",
    "operation manager": "General and Operations Managers",
    "ops manager": "General and Operations Managers",
    "pastor": "Clergy",
    "patent attorney": "Lawyers",
    "payroll clerk": "Payroll and Timekeeping Clerks",
    "payroll specialist": "Payroll and Timekeeping Clerks",
    "pediatrician": "Pediatricians, General",
    "personal trainer": "Exercise Trainers and Group Fitness Instructors",
    "pharmacy tech": "Pharmacy Technicians",
    "plumber": "Plumbers, Pipefitters, and Steamfitters",
    "portfolio manager": "Investment Fund Managers",
    "pr specialist": "Public Relations Specialists",
    "property manager": "Property, Real Estate, and Community Association Managers",
    "qa analyst": "Software Quality Assurance Analysts and Testers",
    "qa engineer": "Software Quality Assurance Analysts and Testers",
    "qa tester": "Software Quality Assurance Analysts and Testers",
    "quantitative analyst": "Financial Quantitative Analysts",
    # British names of occupations O*NET calls otherwise (a London team's tracker, 27 Nov 2026; left
    # out as ambiguous: conveyancer, GP (general partner in a fund), GP receptionist, practice manager,
    # social worker, chemist)
    "solicitor": "Lawyers",
    "trainee solicitor": "Lawyers",
    "barrister": "Lawyers",
    "legal executive": "Paralegals and Legal Assistants",
    "clinical coder": "Medical Records Specialists",
    "general practitioner": "Family Medicine Physicians",
    "chartered accountant": "Accountants and Auditors",
    "estate agent": "Real Estate Sales Agents",
    "physiotherapist": "Physical Therapists",
    "healthcare assistant": "Nursing Assistants",
    "care worker": "Home Health and Personal Care Aides",
    "anaesthetist": "Anesthesiologists",
    "midwife": "Midwives",  # not Nurse Midwives, whose title ends in the word too
    "radiology tech": "Radiologic Technologists and Technicians",
    "radiology technician": "Radiologic Technologists and Technicians",
    "real estate agent": "Real Estate Sales Agents",
    "realtor": "Real Estate Sales Agents",
    "restaurant manager": "Food Service Managers",
    "retail sale associate": "Retail Salespersons",
    "risk analyst": "Financial Risk Specialists",
    "school counselor": "Educational, Guidance, and Career Counselors and Advisors",
    "school principal": "Education Administrators, Kindergarten through Secondary",
    "secretary": "Secretaries and Administrative Assistants, Except Legal, Medical, and Executive",
    "security engineer": "Information Security Engineers",
    "seo specialist": "Search Marketing Strategists",
    "software tester": "Software Quality Assurance Analysts and Testers",
    "sous chef": "Chefs and Head Cooks",
    "speech therapist": "Speech-Language Pathologists",
    "stock broker": "Securities, Commodities, and Financial Services Sales Agents",
    "substitute teacher": "Substitute Teachers, Short-Term",
    "swe": "Software Developers",
    "system analyst": "Computer Systems Analysts",
    "tax accountant": "Accountants and Auditors",
    "tax attorney": "Lawyers",
    "tech support": "Computer User Support Specialists",
    "tech writer": "Technical Writers",
    "technical recruiter": "Human Resources Specialists",
    "training specialist": "Training and Development Specialists",
    "uber driver": "Taxi Drivers",
    "ui designer": "Web and Digital Interface Designers",
    "ux designer": "Web and Digital Interface Designers",
    "ux ui designer": "Web and Digital Interface Designers",
    "warehouse worker": "Laborers and Freight, Stock, and Material Movers, Hand",
    "web designer": "Web and Digital Interface Designers",
    "x ray tech": "Radiologic Technologists and Technicians",
}


def _singular(word: str) -> str:
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def fold(text: str) -> str:
    """Lower case, `&` as "and", punctuation gone, each word singular: 'Paralegals & Legal
    Assistants' -> 'paralegal and legal assistant'."""
    return " ".join(_singular(w) for w in _WORD.findall(text.lower().replace("&", " and ")))


def _parts(title: str) -> list[str]:
    """The occupations a combined title lists: 'Paralegals and Legal Assistants' -> paralegal, legal
    assistant. What follows 'except' or 'including' is no part of it, a qualified title gives none
    ('Meter Readers, Utilities'), and a part must end in a plural naming people, as O*NET names
    occupations: 'Advertising' of 'Advertising and Promotions Managers' is a modifier."""
    text = _named(title)
    if "all other" in text:
        return []  # 'Managers, All Other' is a residual: a plain 'Manager' is not it
    segments = text.split(",")
    if len(segments) > 1 and not re.match(r"\s*(?:and|or)\b", segments[-1]):
        # a last comma segment that does not continue a list qualifies the title ('Music Teachers,
        # Postsecondary'; 'Installers and Repairers, Motor Vehicles'): its parts alone would not be
        # qualified (a music teacher may teach at a school)
        return []
    pieces = _PARTS.split(text)
    parts = []
    for raw in pieces:
        words = _WORD.findall(raw)
        if (
            words
            and words[-1].endswith("s")
            and not _singular(words[-1]).endswith(_NOT_A_JOB)
            and _singular(words[-1]) not in _NOT_PEOPLE
            and fold(raw) not in _UNINFORMATIVE_PARTS
        ):
            parts.append(fold(raw))
    return parts


def _named(title: str) -> str:
    """The part of a title that names its occupations: not what follows 'except' or 'including'
    ('Ambulance Drivers and Attendants, Except Emergency Medical Technicians'), nor 'of …'
    ('First-Line Supervisors of Food Preparation and Serving Workers' are supervisors)."""
    text = re.split(r",?\s*\b(?:except|including)\b", title.lower().replace("&", " and "))[0]
    return text.split(" of ", 1)[0]


@dataclass(frozen=True)
class Resolved:
    code: str
    title: str  # the title it was resolved to
    exact: bool  # written as the title is (any case): no flag needed


class TitleIndex:
    """Titles (SOC and O*NET; an O*NET title wins where both spell the same words) -> codes."""

    def __init__(self, titles: dict[str, str], display: dict[str, str] | None = None):
        self._exact = titles
        self._display = display or {}
        self._folded: dict[str, set[str]] = defaultdict(set)
        self._part: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, str] = {}
        self._words: list[tuple[str, set[str]]] | None = None
        self._title_words: frozenset[str] | None = None
        self._read: dict[str, tuple[Resolved | None, list[str]]] = {}
        # the occupations whose title or part ends in given words ('Tax Examiners', 'Claims ...
        # Examiners'; 'Insurance Sales Agents', 'Real Estate ... Sales Agents'): words that end the
        # titles of occupations apart name none of them when not a title exactly
        self._heads: dict[str, set[str]] = defaultdict(set)
        # the first word of longer titles ('Securities' of 'Securities, Commodities, and ... Sales
        # Agents' leads 'Security Guards' too): a modifier, not an occupation, when it stands alone
        self._leads: dict[str, set[str]] = defaultdict(set)
        for title, code in titles.items():
            folded = fold(title)
            self._folded[folded].add(code)
            parts = _parts(title)
            for part in parts:
                self._part[part].add(code)
            for name in {fold(_named(title)), *parts}:
                words = name.split()
                for k in range(1, len(words) + 1):
                    self._heads[" ".join(words[-k:])].add(code)
            if " " in folded:
                self._leads[folded.split(" ", 1)[0]].add(code)
            self._names.setdefault(code, self._display.get(title, title))

    def read(self, text: str) -> tuple[Resolved | None, list[str]]:
        """The name's occupation, or the titles holding its words when there is none; each name once
        (an inventory repeats a few occupations over many rows)."""
        if text not in self._read:
            found = self.resolve(text)
            self._read[text] = found, ([] if found else self.containing(text))
        return self._read[text]

    def _us_spelled(self, text: str) -> str:
        """`text` lower-cased with each word the titles lack in the US spelling they have, if any."""
        if self._title_words is None:
            # the titles' words, singular and as written ('pediatrician', 'pediatricians'); not the
            # British names above ('anaesthetist' is no US word to keep)
            keys = [*self._folded, *self._part, *self._exact, *(fold(v) for v in _COMMON_NAMES.values())]
            self._title_words = frozenset(w for key in keys for w in _WORD.findall(key.lower()))
        words = _WORD.findall(text.lower())
        us = [us_spelling(w, self._title_words) for w in words]
        return " ".join(us) if us != words else text

    def resolve(self, text: str) -> Resolved | None:
        """The occupation a name written by a person means, or None when it is not clear. 'Senior
        Accountant' and 'Software Engineer II' are read without their level; 'Paralegal/Legal
        Assistant' and 'Lawyer (Attorney)' when every name in them means the same occupation."""
        found = self._resolve(text)
        if found is not None:
            return found
        us = self._us_spelled(text)  # 'Paediatrician', 'Anaesthesiologist': O*NET writes US English
        if us != text:
            found = self.resolve(us)
            return None if found is None else Resolved(found.code, found.title, False)
        words = [w for w in _WORD.findall(text.lower()) if w not in _LEVELS]
        if words and len(words) < len(_WORD.findall(text.lower())):
            found = self._resolve(" ".join(words))
            return None if found is None else Resolved(found.code, found.title, False)
        names = [n for n in re.split(r"[/()]", text) if n.strip()]
        if len(names) > 1:
            each = [self._resolve(n) for n in names]
            if all(each) and len({f.code for f in each}) == 1:
                return Resolved(each[0].code, each[0].title, False)
        return None

    def _resolve(self, text: str) -> Resolved | None:
        key = " ".join(text.lower().split())
        folded = fold(text)
        if key in self._exact:
            code = self._exact[key]
            # a group's title ('Engineers', 17-2000; SOC group codes end in 0) is what people call
            # occupations of other fields too (Sales Engineers, 41-9031): read only when no title
            # outside its major group ends in its words ('Physicians' despite Naturopathic Physicians)
            if "." in code or not code.endswith("0") or not self._named_elsewhere(code, folded, code[:2]):
                return Resolved(code, self._names.get(code, key), True)
        folded = fold(_COMMON_NAMES.get(folded, folded))
        code = _one_occupation(self._folded.get(folded, set()))
        if code and "." in code:  # an occupation's own title, singular: 'Cashier' despite 'Booth Cashiers'
            return Resolved(code, self._names.get(code, code), False)
        if code is None:
            code = _one_occupation(self._part.get(folded, set()))
            # a part of a group's title ('Crew Members' of 55-3010, a military group) is not read:
            # what people mean by it is rarely that group
            code = code if code and "." in code else None
        # a group title ('Engineer' for Engineers, 17-2000) or a part of a combined title must name
        # the only occupations whose titles end in these words: Locomotive Engineers are not in 17-2000
        if code and (
            (" " not in folded and folded.endswith(_NOT_A_JOB)) or self._named_elsewhere(code, folded)
        ):
            code = None
        return Resolved(code, self._names.get(code, code), False) if code else None

    def _named_elsewhere(self, code: str, folded: str, major: str | None = None) -> bool:
        """Whether titles off the code's line (outside SOC major group `major`, when given) end in
        these words (or, for one word, start with it)."""
        others = set(self._heads.get(folded, ()))
        if " " not in folded:
            others |= self._leads.get(folded, set())
        if major is not None:
            return any(not c.startswith(major) for c in others)
        return any(not _same_line(code, c) for c in others)

    def containing(self, text: str, limit: int = 3) -> list[str]:
        """Titles that contain every word of `text` (singular), shortest first: suggestions."""
        words = set(fold(text).split())
        if not words:
            return []
        if self._words is None:  # built once, on the first title that needs suggestions
            self._words = [
                (self._names.get(code, title), set(fold(title).split()))
                for title, code in self._exact.items()
            ]
        found = {name for name, title_words in self._words if words <= title_words}
        return sorted(found, key=lambda t: (len(t), t))[:limit]


def _one_occupation(codes: set[str]) -> str | None:
    """The one occupation codes name, when they lie on one line of the hierarchy (the broad group
    23-2010, SOC 23-2011 and O*NET 23-2011.00 spell one title): the most specific of them."""
    if not codes:
        return None
    specific = max(codes, key=lambda c: (len(c.rstrip("0")), c))
    return specific if all(specific.startswith(soc_prefixes(c)) for c in codes) else None


def _same_line(a: str, b: str) -> bool:
    """Whether one code is under the other (or they are one): the Physicians group 29-1210 holds
    29-1229 too (soc_prefixes)."""
    return a.startswith(soc_prefixes(b)) or b.startswith(soc_prefixes(a))
