"""Default concept sets: the protocol's lists in OMOP vocabulary terms, resolved per database.

A concept set is protocol configuration: which concepts (by OMOP concept id, by vocabulary
code, or by a vocabulary's concept name) stand for a diagnosis, drug, vaccine or laboratory
test, and whether their descendants count. It is never a frozen list of ids alone: every
item is looked up in the database's own `concept` table and expanded through its
`concept_ancestor` table (`lupustrial.prescreen.resolve`), so a newer vocabulary brings its
new descendants with it. `lupustrial prescreen concepts` prints these sets.

The drug, vaccine and collagen-disease sets cover the protocol's own lists
(`DEFAULT_PROTOCOL.immunosuppressants`, `.live_vaccines`, `.non_live_vaccines`,
`.excluding_collagen_diseases`, `.allowed_collagen_diseases`): each item is named by the
protocol term it stands for, and the tests hold every term to having an item.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Domain(StrEnum):
    """Where a concept set's records are searched."""

    CONDITION = "condition"  # condition_occurrence and observation (history of)
    DRUG = "drug"  # drug_exposure
    MEASUREMENT = "measurement"  # measurement
    OBSERVATION = "observation"  # condition_occurrence and observation (pregnancy, lactation)
    RESULT = "result"  # value_as_concept_id of a measurement: not searched as records


DOMAIN_TABLES: dict[Domain, tuple[str, ...]] = {
    Domain.CONDITION: ("condition_occurrence", "observation"),
    Domain.DRUG: ("drug_exposure",),
    Domain.MEASUREMENT: ("measurement",),
    Domain.OBSERVATION: ("condition_occurrence", "observation"),
    Domain.RESULT: (),
}


@dataclass(frozen=True)
class ConceptItem:
    """One entry of a concept set, found by concept id, by code, or by concept name.

    ``verified`` says whether the concept id was checked against the OHDSI vocabulary;
    unverified ids are printed as such, and `prescreen concepts --omop` shows what each
    resolves to in a given database.
    """

    name: str
    concept_id: int | None = None
    vocabulary_id: str | None = None
    concept_code: str | None = None
    by_name: bool = False
    include_descendants: bool = True
    excluded: bool = False
    verified: bool = True

    @property
    def reference(self) -> str:
        """How the item is found, as printed: id, vocabulary code or vocabulary name."""
        if self.concept_id is not None:
            return f"concept {self.concept_id}"
        if self.by_name:
            return f"{self.vocabulary_id} concept named {self.name!r}"
        return f"{self.vocabulary_id} {self.concept_code}"


@dataclass(frozen=True)
class ConceptSet:
    """A named set of concepts: what it stands for, where it is searched, its items."""

    key: str
    title: str
    domain: Domain
    items: tuple[ConceptItem, ...]
    source: str

    @property
    def tables(self) -> tuple[str, ...]:
        return DOMAIN_TABLES[self.domain]


def _rx(name: str, concept_id: int | None = None, *, verified: bool = True) -> ConceptItem:
    """An RxNorm ingredient, by concept id when known, else by the ingredient's name."""
    if concept_id is None:
        return ConceptItem(name, vocabulary_id="RxNorm", by_name=True, verified=False)
    return ConceptItem(name, concept_id=concept_id, verified=verified)


def _code(vocabulary: str, code: str, name: str, **kwargs: bool) -> ConceptItem:
    return ConceptItem(name, vocabulary_id=vocabulary, concept_code=code, **kwargs)


def _snomed(code: str, name: str, **kwargs: bool) -> ConceptItem:
    return _code("SNOMED", code, name, **kwargs)


def _loinc(code: str, name: str) -> ConceptItem:
    return _code("LOINC", code, name, include_descendants=False)


def _cvx(code: str, name: str) -> ConceptItem:
    return _code("CVX", code, name)


SLE = ConceptSet(
    "sle",
    "Systemic lupus erythematosus",
    Domain.CONDITION,
    (ConceptItem("systemic lupus erythematosus", concept_id=257628),),
    "Issue: SLE = 257628 and descendants (SNOMED 55464009); a record of the parent "
    "'lupus erythematosus' (cutaneous, discoid) is not SLE.",
)

IMMUNOSUPPRESSANTS = ConceptSet(
    "immunosuppressants",
    "Immunosuppressants, immunomodulators and antimalarials (protocol list, I2)",
    Domain.DRUG,
    (
        _rx("mycophenolate", 19003999),
        _rx("mycophenolic acid", 19012565),
        _rx("azathioprine", 19014878),
        _rx("tacrolimus", 950637),
        _rx("ciclosporin", 19010482),
        _rx("cyclophosphamide", 1310317),
        _rx("methotrexate", 1305058),
        ConceptItem("mizoribine", vocabulary_id="RxNorm Extension", by_name=True, verified=False),
        _rx("leflunomide", 1101898),
        _rx("voclosporin"),
        _rx("belimumab", 40236987),
        _rx("rituximab", 1314273),
        _rx("anifrolumab", 701470),
        _rx("hydroxychloroquine", 1777087),
        _rx("chloroquine", 1792515),
        _rx("obinutuzumab", 44507676),
        ConceptItem(
            "intravenous immunoglobulin",
            vocabulary_id="RxNorm",
            concept_code="5657",
            verified=False,
        ),
        # A public OMOP mapper names IVIG by this concept instead; neither is confirmed.
        ConceptItem("immunoglobulins, intravenous", concept_id=551749, verified=False),
    ),
    "DEFAULT_PROTOCOL.immunosuppressants (RxNorm ingredients; clinical drugs are descendants).",
)

LIVE_VACCINES = ConceptSet(
    "live_vaccines",
    "Live attenuated vaccines (protocol list, E12)",
    Domain.DRUG,
    (
        _cvx("03", "measles mumps rubella"),
        _cvx("94", "measles mumps rubella varicella"),
        _cvx("04", "measles rubella"),
        _cvx("21", "varicella"),
        _cvx("121", "zoster live"),
        _cvx("37", "yellow fever"),
        _cvx("19", "BCG"),
        _cvx("02", "oral polio"),
        _cvx("116", "rotavirus"),
        _cvx("119", "rotavirus monovalent"),
        _cvx("25", "oral typhoid"),
        _cvx("111", "live attenuated influenza"),
        _cvx("56", "dengue"),
        _cvx("317", "chikungunya live"),
        _cvx("75", "smallpox"),
        _cvx("174", "cholera oral live"),
    ),
    "DEFAULT_PROTOCOL.live_vaccines (CDC 2023), as CVX codes.",
)

NON_LIVE_VACCINES = ConceptSet(
    "non_live_vaccines",
    "Vaccines known not to be live (protocol list, E12)",
    Domain.DRUG,
    (
        _cvx("141", "inactivated influenza"),
        _cvx("140", "inactivated influenza (preservative free)"),
        _cvx("150", "inactivated influenza (quadrivalent, preservative free)"),
        _cvx("158", "inactivated influenza (quadrivalent)"),
        _cvx("161", "inactivated influenza (quadrivalent, preservative free, pediatric)"),
        _cvx("135", "inactivated influenza (high dose)"),
        _cvx("197", "inactivated influenza (high dose, quadrivalent)"),
        _cvx("205", "inactivated influenza (quadrivalent, adjuvanted)"),
        _cvx("171", "inactivated influenza (cell culture, quadrivalent)"),
        _cvx("185", "inactivated influenza (recombinant, quadrivalent)"),
        _cvx("208", "COVID-19 mRNA"),
        _cvx("207", "COVID-19 mRNA (Spikevax)"),
        _cvx("133", "pneumococcal"),
        _cvx("33", "pneumococcal polysaccharide (PPSV23)"),
        _cvx("215", "pneumococcal conjugate (PCV15)"),
        _cvx("216", "pneumococcal conjugate (PCV20)"),
        _cvx("187", "recombinant zoster"),
        _cvx("43", "hepatitis B"),
        _cvx("08", "hepatitis B (pediatric or adolescent)"),
        _cvx("189", "hepatitis B (Heplisav)"),
        _cvx("83", "hepatitis A"),
        _cvx("52", "hepatitis A (adult)"),
        _cvx("165", "HPV"),
        _cvx("62", "HPV (quadrivalent)"),
        _cvx("115", "tetanus diphtheria pertussis"),
        _cvx("09", "tetanus diphtheria (Td, adult)"),
        _cvx("113", "tetanus diphtheria (Td, preservative free)"),
        _cvx("20", "tetanus diphtheria pertussis (DTaP)"),
        _cvx("10", "inactivated polio"),
        _cvx("114", "meningococcal"),
        _cvx("136", "meningococcal (MenACWY-D)"),
        _cvx("147", "meningococcal (MenACWY-CRM)"),
        _cvx("203", "meningococcal (MenACWY-TT)"),
        _cvx("162", "meningococcal B (MenB-FHbp)"),
        _cvx("163", "meningococcal B (MenB-4C)"),
        _cvx("305", "RSV"),
    ),
    "DEFAULT_PROTOCOL.non_live_vaccines, as CVX codes (CDC, IIS: Vaccines administered, CVX "
    "code set, 2024): the common inactivated, recombinant, subunit and mRNA vaccines of each "
    "listed kind.",
)

ANY_VACCINE = ConceptSet(
    "any_vaccine",
    "Any vaccine (CVX): one on neither protocol list leaves E12 unknown",
    Domain.DRUG,
    (ConceptItem("any CVX vaccine", vocabulary_id="CVX", concept_code="*"),),
    "The CVX vocabulary as a whole.",
)

EXCLUDING_COLLAGEN = ConceptSet(
    "collagen_diseases",
    "Other collagen diseases that exclude (protocol list, E11)",
    Domain.CONDITION,
    (
        _snomed("69896004", "rheumatoid arthritis"),
        _snomed("89155008", "systemic sclerosis"),
        _snomed("31384009", "polymyositis"),
        _snomed("396230008", "dermatomyositis"),
        _snomed("398049005", "mixed connective tissue disease", verified=False),
        _snomed("155441006", "polyarteritis nodosa"),
        _snomed("195353004", "ANCA-associated vasculitis (GPA)"),
        _snomed("239928004", "ANCA-associated vasculitis (MPA)"),
        _snomed("82275008", "ANCA-associated vasculitis (EGPA)"),
        _snomed("1966002", "adult-onset Still's disease", verified=False),
        _snomed("58718002", "rheumatic fever"),
        # The registration's exceptions, subtracted should a vocabulary nest them below one
        # of the diseases above.
        _snomed("83901003", "Sjögren's syndrome", excluded=True),
        _snomed("7859003", "antiphospholipid syndrome", excluded=True, verified=False),
    ),
    "DEFAULT_PROTOCOL.excluding_collagen_diseases minus .allowed_collagen_diseases.",
)

_CHRONIC_B = _snomed("61977001", "chronic hepatitis B")
_CHRONIC_C = _snomed("128302006", "chronic hepatitis C")
_CARRIER_B = ConceptItem(
    "Hepatitis B carrier", vocabulary_id="SNOMED", by_name=True, verified=False
)
_CARRIER_C = ConceptItem(
    "Hepatitis C carrier", vocabulary_id="SNOMED", by_name=True, verified=False
)


def _excluded(item: ConceptItem) -> ConceptItem:
    return replace(item, excluded=True)


VIRAL_HEPATITIS = ConceptSet(
    "viral_hepatitis",
    "Chronic hepatitis B or C, or a carrier state, recorded as a diagnosis (E2)",
    Domain.CONDITION,
    (_CHRONIC_B, _CHRONIC_C, _CARRIER_B, _CARRIER_C),
    "Registration E2: carriers of hepatitis viruses. The carrier concepts are found by name "
    "(no SNOMED code confirmed in a public source).",
)

HEPATITIS_B = ConceptSet(
    "hepatitis_b",
    "Viral hepatitis B at another level: acute or unspecified (E2 unknown, E3 needs HBV DNA)",
    Domain.CONDITION,
    (
        _snomed("66071002", "viral hepatitis type B"),
        _snomed("76795007", "acute type B viral hepatitis"),
        _excluded(_CHRONIC_B),
        _excluded(_CARRIER_B),
    ),
    "Issue 21: a record of hepatitis B at any level is read; chronic and carrier records are "
    "the E2 set (subtracted here).",
)

HEPATITIS_C = ConceptSet(
    "hepatitis_c",
    "Viral hepatitis C at another level: acute or unspecified (E2 unknown, E3 needs HCV RNA)",
    Domain.CONDITION,
    (
        _snomed("50711007", "viral hepatitis C"),
        _snomed("235866006", "acute hepatitis C"),
        _excluded(_CHRONIC_C),
        _excluded(_CARRIER_C),
    ),
    "Issue 21: a record of hepatitis C at any level is read; chronic and carrier records are "
    "the E2 set (subtracted here).",
)

TUBERCULOSIS = ConceptSet(
    "tuberculosis",
    "Tuberculosis (E6)",
    Domain.CONDITION,
    (_snomed("56717001", "tuberculosis"),),
    "Registration E6.",
)

MALIGNANCY = ConceptSet(
    "malignancy",
    "Malignant neoplastic disease (E7)",
    Domain.CONDITION,
    (_snomed("363346000", "malignant neoplastic disease"),),
    "Registration E7.",
)

CERVICAL_IN_SITU = ConceptSet(
    "cervical_in_situ",
    "Carcinoma in situ of the uterine cervix (E7 exception)",
    Domain.CONDITION,
    (_snomed("92564006", "carcinoma in situ of uterine cervix", verified=False),),
    "Registration E7: cervical cancer in situ treated with local therapy only.",
)

PREGNANCY = ConceptSet(
    "pregnancy",
    "Pregnancy (E9)",
    Domain.OBSERVATION,
    (_snomed("77386006", "pregnancy"),),
    "Registration E9.",
)

LACTATION = ConceptSet(
    "lactation",
    "Lactation / breastfeeding (E10)",
    Domain.OBSERVATION,
    (_snomed("413712001", "breastfeeding"),),
    "Registration E10, where recorded.",
)

# Laboratory tests by LOINC code; their keys are the clinical layer's measurement names.
LAB_TESTS: dict[str, tuple[ConceptItem, ...]] = {
    "ast": (_loinc("1920-8", "aspartate aminotransferase"),),
    "alt": (_loinc("1742-6", "alanine aminotransferase"),),
    "creatinine": (_loinc("2160-0", "creatinine, serum or plasma"),),
    "platelets": (_loinc("777-3", "platelets, automated count"),),
    "leukocytes": (_loinc("6690-2", "leukocytes, automated count"),),
    "temperature": (_loinc("8310-5", "body temperature"),),
    "urine_protein_24h": (_loinc("2889-4", "protein, 24-hour urine"),),
    "urine_protein_creatinine_ratio": (_loinc("2890-2", "protein/creatinine, urine"),),
    "urine_rbc_per_hpf": (_loinc("13945-1", "erythrocytes per high-power field, urine"),),
    "urine_wbc_per_hpf": (_loinc("5821-4", "leukocytes per high-power field, urine"),),
    "hbs_ag": (_loinc("5196-1", "hepatitis B surface antigen"),),
    "anti_hbc": (_loinc("16933-4", "hepatitis B core antibody"),),
    "anti_hbs": (_loinc("22322-2", "hepatitis B surface antibody"),),
    "anti_hcv": (_loinc("16128-1", "hepatitis C antibody"),),
    "hbv_dna": (_loinc("29610-3", "hepatitis B virus DNA"),),
    "hcv_rna": (_loinc("11259-9", "hepatitis C virus RNA"),),
    "pregnancy_test": (
        _loinc("2106-3", "choriogonadotropin, urine"),
        _loinc("2118-8", "choriogonadotropin, serum"),
    ),
}

LABS: tuple[ConceptSet, ...] = tuple(
    ConceptSet(key, f"Laboratory test: {items[0].name}", Domain.MEASUREMENT, items, "LOINC")
    for key, items in LAB_TESTS.items()
)

POSITIVE = ConceptSet(
    "positive",
    "Qualitative result: positive / detected",
    Domain.RESULT,
    (
        ConceptItem("positive", concept_id=9191, include_descendants=False),
        _code("LOINC", "LA6576-8", "positive (LOINC answer)", include_descendants=False),
        _code("LOINC", "LA11882-0", "detected (LOINC answer)", include_descendants=False),
        _snomed("260373001", "detected", include_descendants=False),
    ),
    "OMOP Meas Value concepts.",
)

NEGATIVE = ConceptSet(
    "negative",
    "Qualitative result: negative / not detected",
    Domain.RESULT,
    (
        ConceptItem("negative", concept_id=9189, include_descendants=False),
        _code("LOINC", "LA6577-6", "negative (LOINC answer)", include_descendants=False),
        _code("LOINC", "LA11883-8", "not detected (LOINC answer)", include_descendants=False),
        _snomed("260415000", "not detected", include_descendants=False),
    ),
    "OMOP Meas Value concepts.",
)

DEFAULT_CONCEPT_SETS: tuple[ConceptSet, ...] = (
    SLE,
    IMMUNOSUPPRESSANTS,
    LIVE_VACCINES,
    NON_LIVE_VACCINES,
    ANY_VACCINE,
    EXCLUDING_COLLAGEN,
    VIRAL_HEPATITIS,
    HEPATITIS_B,
    HEPATITIS_C,
    TUBERCULOSIS,
    MALIGNANCY,
    CERVICAL_IN_SITU,
    PREGNANCY,
    LACTATION,
    *LABS,
    POSITIVE,
    NEGATIVE,
)

CONCEPT_SET_BY_KEY: dict[str, ConceptSet] = {s.key: s for s in DEFAULT_CONCEPT_SETS}

MALE_CONCEPT_ID = 8507
FEMALE_CONCEPT_ID = 8532
"""OMOP Gender concepts (the CDM's fixed gender vocabulary)."""
