"""Which regulated sectors (health, legal, finance) a brief belongs to, and the words of the brief that say so.

The brief's `industry` is free text, so an exact "health" / "legal" / "finance" misses "dental
clinic", "law firm" or "insurance". `classify` reads the industry, the goal and the page names
against an English and Spanish vocabulary for each sector, and errs towards review: a false
alarm costs a reviewer a minute, a missed one publishes medical, legal or financial promises
unchecked.

Text is compared normalised (case folded, accents stripped, punctuation turned to spaces) and
word by word, so "Clínica", "clinica" and "clinic" meet while "lawn" never contains "law" and
"taxi" never contains "tax". A vocabulary entry is a word or phrase in that normalised form:
a word ending in `*` is a stem ("dentist*": dentist, dentists, dentistry, dentista), any other
word also matches its plurals ("abogado" -> "abogados", "hospital" -> "hospitales",
"notary" -> "notaries").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

REGULATED_SECTORS = ("health", "legal", "finance")
SECTOR_LABELS = {"health": "health care", "legal": "legal services", "finance": "financial services"}


@dataclass(frozen=True)
class SectorFinding:
    """One regulated sector a brief belongs to, the field that says so and the words it says it with."""

    sector: str  # one of REGULATED_SECTORS
    field: str  # "industry", "goal" or "pages"
    term: str  # the matched words, as the client typed them
    reason: str  # for a reviewer: "industry 'dental clinic' is health care"


@dataclass(frozen=True)
class _Vocabulary:
    """The words of one sector: read in every field, or in the industry alone."""

    # Names of the sector and its professions: a brief using them anywhere is in the sector.
    terms: tuple[str, ...]
    # What the sector's sites claim or offer ("we treat", "legal advice", "investment returns"):
    # in a goal or a page name they are the very promises a reviewer must check.
    claims: tuple[str, ...]
    # Words that name the sector as an industry but are everyday words in any site's copy: a
    # "payments" page or "accept credit cards" belongs to every shop, "Legal" is a footer page and
    # "seguros" also means "safe" ("pagos seguros"). They count in the industry field only.
    industry_only: tuple[str, ...] = ()


_VOCABULARY: dict[str, _Vocabulary] = {
    "health": _Vocabulary(
        terms=(
            # English
            "health",  # not "healthy": a healthy-food cafe is a lifestyle, not a health service
            "healthcare",
            "health care",
            "healthtech",
            "telehealth",
            "ehealth",
            "mental health",
            # Not "medic*": Spanish "medición" is a measurement.
            "medic",
            "medical*",
            "medicine*",
            "medicinal",
            "medication*",
            "medicare",
            "medicaid",
            "medtech",
            "med spa",
            "medspa",
            "telemedic*",
            "clinic*",  # clinic, clinical, clinician; Spanish clínica
            "policlinic*",
            "polyclinic*",
            "hospital",  # whole word: "hospitality" is hotels
            "hospice",
            "doctor",
            "doctora",
            "physician*",
            "nurse",  # not "nurs*": a nursery is plants or children
            "nursing",
            "surgery",
            "surgeon*",
            "surgical*",
            "dental",
            "dentist*",
            "denture*",
            "orthodont*",
            "pharma*",  # pharmacy, pharmacist, pharmaceutical
            "chemist",  # British for pharmacy; not "chemistry"
            "drug*",  # drugs, drugstore
            "therap*",  # therapy, therapist, therapeutic
            "psycholog*",
            "psychiatr*",
            "psychotherap*",
            "counselling",  # "counsel" alone is a lawyer's
            "counseling",
            "counsellor*",
            "counselor*",
            "physio*",
            "chiropract*",
            "osteopath*",
            "naturopath*",
            "homeopath*",
            "acupunct*",
            "optometr*",
            "optician*",
            "ophthalm*",
            "dermatolog*",
            "pediatr*",
            "paediatr*",
            "gynecolog*",
            "gynaecolog*",
            "obstetr*",
            "cardiolog*",
            "oncolog*",
            "neurolog*",
            "radiolog*",
            "urolog*",
            "orthoped*",
            "orthopaed*",
            "podiatr*",
            "audiolog*",
            "hearing aid",
            "midwife",
            "midwives",
            "fertility",
            "ivf",
            "vaccin*",
            "ambulance",
            "rehab",
            "rehabilitation",
            "addiction*",
            "nutrition*",  # nutrition, nutritionist
            "dietitian*",
            "dietician*",
            "dietetic*",
            "supplement*",
            "veterinar*",
            "cbd",
            "botox",
            # Spanish (accents already stripped)
            "salud",  # whole word: not "saludo", a greeting
            "medico",  # médico, médicos
            "medica",
            "medicina*",
            "medicament*",
            "sanidad",
            "farmac*",  # farmacia, farmacéutico
            "drogueria",  # a pharmacy in Colombia and Venezuela
            "terap*",  # terapia, terapeuta
            "psicolog*",
            "psiquiatr*",
            "psicoterap*",
            "odontolog*",
            "ortodon*",
            "dentadura*",
            "fisio*",  # fisioterapia, fisioterapeuta
            "quiropract*",
            "osteopat*",
            "homeopat*",
            "acupunt*",
            "enfermer*",  # enfermera, enfermería
            "consultorio",
            "cirug*",
            "ciruj*",
            "oftalmolog*",
            "optica",
            "ginecolog*",
            "traumatolog*",
            "ortoped*",
            "podolog*",
            "logoped*",
            "audifono*",
            "matrona",
            "fertilidad",
            "vacuna*",
            "ambulancia",
            "adiccion*",
            "nutricion*",
            "suplemento*",
        ),
        claims=(
            "treatment*",
            "treating",
            # "treat" alone is a bakery's "sweet treats" or "treat yourself": only as a verb
            "we treat",
            "i treat",
            "to treat",
            "can treat",
            "help treat",
            "cure",
            "curar",
            "curamos",
            "cura",
            "curativ*",
            "heal",
            "healing",
            "sanar",
            "diagnos*",  # diagnosis, diagnose, diagnostic; Spanish diagnóstico
            "prescri*",  # prescription, prescribe; Spanish prescripción
            "patient*",
            "paciente",
            "symptom*",
            "sintoma*",
            "disease*",
            "illness*",
            "enfermedad*",
            "remedy",
            "remedio*",
            "pain relief",
            "alivio del dolor",
            "tratamiento*",
        ),
        industry_only=(
            "vet",  # a verb in copy: "we vet our suppliers"
        ),
    ),
    "legal": _Vocabulary(
        terms=(
            # English
            "law",  # whole word: not "lawn" or "outlaw"
            "law firm",
            "lawyer*",
            "attorney",
            "solicitor*",
            "barrister*",
            "counsel",
            "legal counsel",
            "notary",
            "notarial",
            "paralegal*",
            "litigat*",
            "lawsuit*",
            "jurist*",
            "immigration",
            "divorce*",
            "custody",
            "probate",
            "wills",
            "estate planning",
            "inheritance*",  # not "testament": the Old and New Testament are a church's
            "personal injury",
            "intellectual property",
            "arbitrat*",
            "conveyanc*",
            # Spanish
            "abogad*",  # abogado, abogada, abogados
            "abogac*",  # abogacía
            "bufete",
            "juridic*",  # jurídico, despacho jurídico, asesoría jurídica
            "notaria",  # notaría, notaria
            "notario",
            "procurador*",
            "litigio*",
            "inmigracion",
            "extranjeria",
            "divorcio*",
            "herencia*",
            "testamentari*",  # testamentaría: probate
            "propiedad intelectual",
            "arbitraje",
        ),
        claims=(
            "legal advice",
            "legal aid",
            "legal help",
            "legal service",
            "legal representation",
            "legal consultation",
            "legal assistance",
            "legal support",
            "legal team",
            "legal expert*",
            "legal matter",
            "legal issue",
            "legal problem",
            "legal case",
            "legal defen*",
            "contract review",
            "contract drafting",
            "asesoria legal",
            "asesoramiento legal",
            "servicio legal",
            "consulta legal",
            "ayuda legal",
            "defensa legal",
            "representacion legal",
            "asistencia legal",
        ),
        industry_only=(
            # Every site has a "Legal" or "Aviso legal" page: the word alone is not a legal service.
            "legal",
            # Also "right" ("derecho a devolución") and "straight" in copy.
            "derecho",
        ),
    ),
    "finance": _Vocabulary(
        terms=(
            # English
            "financ*",  # finance, financial, financing; Spanish financiero, financiera
            "fintech*",
            "microfinan*",
            "bank*",  # bank, banking, banker, bankruptcy
            "neobank*",
            "insur*",  # insurance, insurer, insurtech
            "reinsur*",
            "accounting",
            "accountant*",
            "accountancy",
            "bookkeep*",
            "cpa",
            "tax",  # whole word and "taxes": not "taxi"
            "taxation",
            "loan*",
            "lending",
            "lender*",
            "microcredit*",
            "mortgage*",
            "invest",  # not "invest*": "investigation", "private investigator"
            "invested",
            "investing",
            "investment*",
            "investor*",
            "wealth",
            "wealth management",
            "asset management",
            "venture capital",
            "private equity",
            "broker*",
            "stockbroker*",
            "forex",
            "crypto",  # not "crypto*": "cryptography" is security software
            "cryptocurrenc*",
            "bitcoin*",
            "pension*",
            "retirement planning",
            "retirement saving*",
            "money transfer*",
            "remittance*",
            "currency exchange",
            "debt*",
            "credit union",
            "credit repair",
            "credit score",
            "credit report*",
            "line of credit",
            # Spanish
            "finanz*",
            "banco",
            "banca",
            "bancari*",
            "asegurador*",  # aseguradora
            "reaseguro*",
            "poliza*",
            "seguro de vida",
            "seguro de salud",
            "seguro medico",
            "seguro de hogar",
            "seguro de auto",
            "seguro de coche",
            "seguro de viaje",
            "corredor de seguros",
            "correduria*",
            "contab*",  # contabilidad, contable
            "contador*",
            "asesor fiscal",
            "asesoria fiscal",
            "asesoria contable",
            "asesoria financiera",
            "asesor financiero",
            "fiscal*",
            "impuesto*",
            "tributari*",
            "tributaci*",
            "gestoria*",
            "prestamo*",  # préstamo
            "prestamista*",
            "hipotec*",  # hipoteca, hipotecario
            "creditos",  # plural: loans; the singular is often a card at the till
            "linea de credito",
            "inversion*",  # inversión, inversiones
            "inversor*",
            "invertir",
            "capital riesgo",
            "gestion de activos",
            "corredor de bolsa",
            "bolsa de valores",
            "cripto",
            "criptomoneda*",
            "jubilacion",
            "remesa*",
            "casa de cambio",
            "deuda*",
        ),
        claims=(
            "guaranteed return*",
            "high return*",
            "passive income",
            "interest rate*",
            "double your money",
            "rentabilidad*",
            "tasa de interes",
            "tipo de interes",
            "ganancia garantizada*",
        ),
        industry_only=(
            "credit",  # "we accept credit cards", "photo credits"
            "credito",
            "payment*",  # every shop has a payments page
            "pago",
            "trading",  # "trading hours"
            "audit*",  # "free SEO audit"
            "auditor*",
            "seguro",  # also "safe" / "sure": "pagos seguros", "envío seguro"
        ),
    ),
}

# Phrases that contain a sector word yet are about something else; blanked in the goal and the
# page names before matching. The other standard pages every site has ("privacy policy", "terms",
# "legal notice", "aviso legal", "cookies", "imprint") need no entry: bare "legal" counts in the
# industry only.
_BOILERPLATE = ("health and safety", "health safety", "salud y seguridad", "seguridad y salud")

# Words allowed between two matches of one sector for them to be reported as one term:
# "bufete de abogados", "asesoría fiscal y contable", "clinic for physiotherapy".
_JOINERS = ("de", "del", "la", "las", "el", "los", "y", "e", "en", "para", "of", "and", "the", "for", "in")
_JOIN_GAP = re.compile(rf"^ +(?:(?:{'|'.join(_JOINERS)}) +){{0,2}}$")


def _word_pattern(word: str) -> str:
    """The regex of one vocabulary word: a stem when it ends in '*', else the word and its plurals."""
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"\w*"
    forms = [re.escape(word) + "(?:s|es)?"]
    if word.endswith("y"):
        forms.append(re.escape(word[:-1]) + "ies")  # notary -> notaries, remedy -> remedies
    return "(?:" + "|".join(forms) + ")"


def _compile(entry: str) -> re.Pattern[str]:
    """The regex of one vocabulary entry, anchored at word boundaries on both sides."""
    # Normalised text separates words by runs of spaces ("Health & Safety" -> "health   safety").
    body = " +".join(_word_pattern(word) for word in entry.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _compile_all(entries: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(_compile(entry) for entry in entries)


# Compiled once: per sector, the patterns read in the goal and pages, and those read in the industry.
_TEXT_PATTERNS = {sector: _compile_all(v.terms + v.claims) for sector, v in _VOCABULARY.items()}
_INDUSTRY_PATTERNS = {
    sector: _TEXT_PATTERNS[sector] + _compile_all(v.industry_only) for sector, v in _VOCABULARY.items()
}
_BOILERPLATE_PATTERNS = _compile_all(_BOILERPLATE)


def _normalise(text: str) -> tuple[str, list[int]]:
    """`text` case folded, without accents, punctuation as spaces; and each character's index in `text`."""
    chars: list[str] = []
    origin: list[int] = []  # origin[i]: the index in `text` of normalised character i
    for index, ch in enumerate(text):
        # Character by character, so that a match can be traced back to the words as typed
        # even where NFKD or case folding changes the length ("ﬁ" -> "fi", "ß" -> "ss").
        for part in unicodedata.normalize("NFKD", ch).casefold():
            if unicodedata.combining(part):
                continue  # the accent of "í", "ñ", "ü"
            chars.append(part if part.isalnum() else " ")
            origin.append(index)
    return "".join(chars), origin


def _blank_boilerplate(text: str) -> str:
    """`text` with the boilerplate phrases turned to spaces, every other character in place."""
    for pattern in _BOILERPLATE_PATTERNS:
        text = pattern.sub(lambda match: " " * len(match.group()), text)
    return text


def _first_term(text: str, patterns: Sequence[re.Pattern[str]]) -> tuple[int, int] | None:
    """The span of the first sector term in normalised `text`, joined with the terms that follow it."""
    spans = sorted(
        {match.span() for pattern in patterns for match in pattern.finditer(text)},
        key=lambda span: (span[0], -span[1]),  # leftmost first; the longest of those starting together
    )
    if not spans:
        return None
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_end <= end:
            continue
        if next_start > end and not _JOIN_GAP.match(text[end:next_start]):
            break  # every later span starts further on, past the same words
        end = next_end
    return start, end


def _find(typed: str, patterns: Sequence[re.Pattern[str]], *, boilerplate: bool) -> str | None:
    """The words of `typed` (as typed) that match the first of `patterns`, or None."""
    text, origin = _normalise(typed)
    if boilerplate:
        text = _blank_boilerplate(text)
    span = _first_term(text, patterns)
    if span is None:
        return None
    start, end = span
    return typed[origin[start] : origin[end - 1] + 1]


def classify(industry: str, goal: str = "", pages: Sequence[str] = ()) -> list[SectorFinding]:
    """The regulated sectors a brief belongs to, with the words that say so; empty when none."""
    if isinstance(pages, str):
        pages = pages.split(",")  # the brief form's "home, about, contact"
    findings: list[SectorFinding] = []
    industry = industry.strip()
    for sector in REGULATED_SECTORS:
        if term := _find(industry, _INDUSTRY_PATTERNS[sector], boilerplate=False):
            reason = f"industry '{industry}' is {SECTOR_LABELS[sector]}"
            findings.append(SectorFinding(sector, "industry", term, reason))
    for sector in REGULATED_SECTORS:
        if term := _find(goal, _TEXT_PATTERNS[sector], boilerplate=True):
            reason = f"goal mentions '{term}' ({SECTOR_LABELS[sector]})"
            findings.append(SectorFinding(sector, "goal", term, reason))
    for sector in REGULATED_SECTORS:
        for page in pages:
            if term := _find(page, _TEXT_PATTERNS[sector], boilerplate=True):
                reason = f"page '{page.strip()}' is {SECTOR_LABELS[sector]}"
                findings.append(SectorFinding(sector, "pages", term, reason))
                break  # one finding per sector and field: the first page that says so
    return findings


def regulated_sectors(findings: Sequence[SectorFinding]) -> list[str]:
    """The distinct sectors of `findings`, in REGULATED_SECTORS order."""
    found = {finding.sector for finding in findings}
    return [sector for sector in REGULATED_SECTORS if sector in found]
