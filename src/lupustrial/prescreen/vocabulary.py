"""The synthetic mini-vocabulary: every default concept set item, with a few relatives.

Items declared by concept id keep it; items declared by code or name get a synthetic id
(above 2,000,000,000, below 2**31 as the CDM's concept ids are 32-bit in practice).
Relatives exercise resolution through `concept_ancestor`: a descendant of SLE, the parent
"lupus erythematosus" that is not SLE (and its discoid child), clinical drugs below each
ingredient, and children below the disease concepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from lupustrial.prescreen.concepts import (
    DEFAULT_CONCEPT_SETS,
    FEMALE_CONCEPT_ID,
    MALE_CONCEPT_ID,
    ConceptItem,
)

SYNTHETIC_ID_START = 2_000_000_000


@dataclass(frozen=True)
class Concept:
    concept_id: int
    concept_name: str
    domain_id: str
    vocabulary_id: str
    concept_class_id: str
    concept_code: str
    standard_concept: str | None = "S"


@dataclass
class MiniVocabulary:
    """Concepts, ancestor links (parent → descendant), and the ids the generator uses."""

    concepts: list[Concept]
    ancestors: list[tuple[int, int]]
    ids: dict[str, int]
    units: dict[str, int]

    def item_id(self, set_key: str, name: str) -> int:
        return self.ids[f"{set_key}:{name}"]


_DOMAIN_OF_SET = {"drug": "Drug", "measurement": "Measurement", "result": "Meas Value"}

UNIT_CODES: dict[str, str] = {
    "mg/dL": "mg/dL",
    "umol/L": "micromole per liter",
    "U/L": "unit per liter",
    "10*9/L": "billion per liter",
    "10*3/uL": "thousand per microliter",
    "/uL": "per microliter",
    "Cel": "degree Celsius",
    "[degF]": "degree Fahrenheit",
    "g/(24.h)": "gram per 24 hours",
    "mg/(24.h)": "milligram per 24 hours",
    "g/g": "gram per gram",
    "mg/mmol": "milligram per millimole",
    "/[HPF]": "per high power field",
    "mEq/L": "milliequivalent per liter",
}
"""UCUM units the generator writes ('mEq/L' is deliberately unknown to creatinine)."""

UNIT_IDS: dict[str, int] = {
    "mg/dL": 8840,
    "umol/L": 8749,
    "U/L": 8645,
    "10*9/L": 9444,
    "10*3/uL": 8848,
    "/uL": 8647,
    "Cel": 586323,
    "[degF]": 9289,
    "g/(24.h)": 8807,
    "mg/(24.h)": 8909,
    "g/g": 8523,
    "mg/mmol": 44777656,
    "/[HPF]": 8786,
    "mEq/L": 9557,
}


THIN_LEFT_OUT = ("viral_hepatitis",)
"""Concept sets whose concepts a thin vocabulary lacks (with the UCUM unit rows)."""


def build_vocabulary(*, thin: bool = False) -> MiniVocabulary:
    """The mini-vocabulary for the default concept sets (deterministic).

    ``thin`` leaves out what an external database's vocabulary lacked (issue 21): the UCUM
    unit rows and the chronic hepatitis and carrier concepts. The records keep the standard
    unit ids; a chronic hepatitis record is written as unspecified viral hepatitis, the most
    precise concept such a vocabulary has.
    """
    next_id = SYNTHETIC_ID_START
    concepts: dict[int, Concept] = {}
    ancestors: list[tuple[int, int]] = []
    ids: dict[str, int] = {}
    by_reference: dict[str, int] = {}  # an item named in two sets is one concept

    def add(concept: Concept) -> int:
        concepts.setdefault(concept.concept_id, concept)
        return concept.concept_id

    def fresh() -> int:
        nonlocal next_id
        next_id += 1
        return next_id

    for concept_set in DEFAULT_CONCEPT_SETS:
        domain = _DOMAIN_OF_SET.get(concept_set.domain.value, "Condition")
        for item in concept_set.items:
            if item.concept_code == "*":
                continue
            concept_id = by_reference.get(item.reference)
            if concept_id is None:
                concept_id = item.concept_id if item.concept_id is not None else fresh()
                by_reference[item.reference] = concept_id
            add(_concept_for(item, concept_id, domain))
            ids[f"{concept_set.key}:{item.name}"] = concept_id
    # Viral hepatitis B and C are the parents of every level (SNOMED's hierarchy), so the
    # chronic and carrier concepts excluded from the "other level" sets are exercised.
    for virus, chronic, carrier in (
        ("hepatitis_b:viral hepatitis type B", "chronic hepatitis B", "Hepatitis B carrier"),
        ("hepatitis_c:viral hepatitis C", "chronic hepatitis C", "Hepatitis C carrier"),
    ):
        acute = "acute type B viral hepatitis" if "B" in chronic else "acute hepatitis C"
        for child_key in (f"viral_hepatitis:{chronic}", f"viral_hepatitis:{carrier}"):
            ancestors.append((ids[virus], ids[child_key]))
        ancestors.append((ids[virus], ids[f"{virus.split(':')[0]}:{acute}"]))

    def child(parent_key: str, parent_name: str, name: str, domain: str, cls: str) -> int:
        parent = ids[f"{parent_key}:{parent_name}"]
        parent_concept = concepts[parent]
        child_id = add(
            Concept(fresh(), name, domain, parent_concept.vocabulary_id, cls, f"syn-{next_id}")
        )
        ancestors.append((parent, child_id))
        ids[f"{parent_key}:{name}"] = child_id
        return child_id

    child(
        "sle",
        "systemic lupus erythematosus",
        "SLE with organ involvement",
        "Condition",
        "Clinical Finding",
    )
    # "Lupus erythematosus" (SNOMED 200936003) is SLE's parent and is not SLE.
    lupus = add(
        Concept(
            fresh(), "Lupus erythematosus", "Condition", "SNOMED", "Clinical Finding", "200936003"
        )
    )
    ids["other:lupus erythematosus"] = lupus
    discoid = add(
        Concept(
            fresh(),
            "Discoid lupus erythematosus",
            "Condition",
            "SNOMED",
            "Clinical Finding",
            "200938002",
        )
    )
    ids["other:discoid lupus erythematosus"] = discoid
    ancestors += [
        (lupus, ids["sle:systemic lupus erythematosus"]),
        (lupus, discoid),
        (lupus, ids["sle:SLE with organ involvement"]),
    ]
    for item in _items("immunosuppressants"):
        child("immunosuppressants", item.name, f"{item.name} oral tablet", "Drug", "Clinical Drug")
    child("tuberculosis", "tuberculosis", "pulmonary tuberculosis", "Condition", "Clinical Finding")
    child(
        "malignancy",
        "malignant neoplastic disease",
        "malignant neoplasm of breast",
        "Condition",
        "Clinical Finding",
    )
    ids["other:unlisted vaccine"] = add(
        Concept(fresh(), "unlisted vaccine", "Drug", "CVX", "CVX", "998")
    )
    for name, concept_id, vocabulary, code in (
        ("essential hypertension", 320128, "SNOMED", "59621000"),
        ("type 2 diabetes", 201826, "SNOMED", "44054006"),
        ("amoxicillin", 1713332, "RxNorm", "723"),
        ("atorvastatin", 1545958, "RxNorm", "83367"),
        ("glucose", 3004501, "LOINC", "2345-7"),
        ("tobacco use", 4005823, "SNOMED", "110483000"),
    ):
        domain = {"RxNorm": "Drug", "LOINC": "Measurement"}.get(vocabulary, "Condition")
        ids[f"other:{name}"] = add(Concept(concept_id, name, domain, vocabulary, "Other", code))
    add(Concept(MALE_CONCEPT_ID, "MALE", "Gender", "Gender", "Gender", "M"))
    add(Concept(FEMALE_CONCEPT_ID, "FEMALE", "Gender", "Gender", "Gender", "F"))
    if not thin:
        for code, name in UNIT_CODES.items():
            add(Concept(UNIT_IDS[code], name, "Unit", "UCUM", "Unit", code))
    else:
        left_out = {ids[f"{key}:{item.name}"] for key in THIN_LEFT_OUT for item in _items(key)}
        for concept_id in left_out:
            del concepts[concept_id]
        ancestors = [(a, d) for a, d in ancestors if a not in left_out and d not in left_out]
        for item in _items("viral_hepatitis"):
            of_b = "hepatitis b" in item.name.lower()
            parent = (
                "hepatitis_b:viral hepatitis type B" if of_b else "hepatitis_c:viral hepatitis C"
            )
            ids[f"viral_hepatitis:{item.name}"] = ids[parent]
    # concept_ancestor holds every concept as its own ancestor, and transitive links.
    links = set(ancestors)
    changed = True
    while changed:
        changed = False
        for a, b in list(links):
            for c, d in list(links):
                if b == c and (a, d) not in links:
                    links.add((a, d))
                    changed = True
    links |= {(c, c) for c in concepts}
    return MiniVocabulary(list(concepts.values()), sorted(links), ids, dict(UNIT_IDS))


def _items(key: str) -> tuple[ConceptItem, ...]:
    return next(s.items for s in DEFAULT_CONCEPT_SETS if s.key == key)


def _concept_for(item: ConceptItem, concept_id: int, domain: str) -> Concept:
    vocabulary = item.vocabulary_id or ("RxNorm" if domain == "Drug" else "SNOMED")
    cls = {"Drug": "Ingredient", "Measurement": "Lab Test"}.get(domain, "Clinical Finding")
    if vocabulary == "CVX":
        cls = "CVX"
    code = item.concept_code or f"syn-{concept_id}"
    return Concept(concept_id, item.name, domain, vocabulary, cls, code)
