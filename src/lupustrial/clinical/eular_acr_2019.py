"""2019 EULAR/ACR classification criteria for systemic lupus erythematosus (Aringer 2019).

Classification needs the entry criterion, an antinuclear antibody (ANA) titre of at least
1:80 on HEp-2 cells or an equivalent positive test at least once, and then at least 10 points
from weighted additive criteria, at least one of them clinical. The additive criteria fall in
seven clinical and three immunologic domains; within a domain only the highest-weighted
criterion present counts. A criterion counts if it occurred on at least one occasion (criteria
need not be simultaneous) and only if there is no more likely explanation than SLE. The
domain maxima add up to 51.

Every criterion is entered as true, false or omitted (not assessed); omitted is never read as
absent. The result gives the points known present, the points possible if every criterion not
assessed were present, and a three-valued classification that explains itself.

Decisions where the paper leaves room:

* The thresholds are the criteria's own, not SLEDAI-2K's: fever is > 38.3 °C (SLEDAI-2K:
  > 38 °C) and leukopenia < 4.0 ×10⁹/L (SLEDAI-2K: < 3.0 ×10⁹/L). Every threshold is strict
  as published: exactly 38.3 °C, 4.0 ×10⁹/L, 100 ×10⁹/L or 0.5 g/24 h does not meet it. The
  threshold is in °C: 100.9 °F, often printed beside it, is 38.28 °C and so not fever.
* One occasion suffices, so a raw value stands for the most extreme one on record (highest
  temperature, lowest count, highest proteinuria); when both a 24-hour protein and a spot
  protein/creatinine ratio are given, either one above 0.5 meets the proteinuria criterion.
* A value cannot apply the attribution rule, so a criterion derived from it counts as
  present; a clinician who has found a more likely explanation enters false, and the entered
  value counts (the disagreement is reported), as for SLEDAI-2K. The same holds for an
  entered ANA result that disagrees with an entered titre.
* Low C3 and low C4 are entered separately, each meaning below the laboratory's lower limit
  at least once; the complement domain scores 4 when both are low and 3 when one is. The paper
  does not say whether both must be low in the same sample, and these inputs cannot tell.
* Joint involvement may be entered directly or derived from its two published alternatives:
  synovitis in at least 2 joints, or tenderness in at least 2 joints with at least 30 minutes
  of morning stiffness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sources import ARINGER_2019
from lupustrial.clinical.status import CodeEnum, Status, all_of, any_of
from lupustrial.clinical.thresholds import Threshold, any_crossed
from lupustrial.clinical.units import (
    CellCount,
    Temperature,
    UrineProtein24h,
    UrineProteinCreatinineRatio,
)


class DomainKind(CodeEnum):
    """The two kinds of domain; classification needs at least one clinical criterion."""

    CLINICAL = "clinical"
    IMMUNOLOGIC = "immunologic"


@dataclass(frozen=True)
class Domain:
    """One domain of the additive criteria (Aringer 2019)."""

    code: str
    name: str
    kind: DomainKind


DOMAINS: tuple[Domain, ...] = (
    Domain("constitutional", "Constitutional", DomainKind.CLINICAL),
    Domain("hematologic", "Hematologic", DomainKind.CLINICAL),
    Domain("neuropsychiatric", "Neuropsychiatric", DomainKind.CLINICAL),
    Domain("mucocutaneous", "Mucocutaneous", DomainKind.CLINICAL),
    Domain("serosal", "Serosal", DomainKind.CLINICAL),
    Domain("musculoskeletal", "Musculoskeletal", DomainKind.CLINICAL),
    Domain("renal", "Renal", DomainKind.CLINICAL),
    Domain("antiphospholipid_antibodies", "Antiphospholipid antibodies", DomainKind.IMMUNOLOGIC),
    Domain("complement_proteins", "Complement proteins", DomainKind.IMMUNOLOGIC),
    Domain("sle_specific_antibodies", "SLE-specific antibodies", DomainKind.IMMUNOLOGIC),
)

DOMAIN_BY_CODE: dict[str, Domain] = {d.code: d for d in DOMAINS}


@dataclass(frozen=True)
class Item:
    """One weighted criterion, the domain it belongs to and its definition (Aringer 2019).

    ``entries`` names the input fields it is judged from (by default its own code) and
    ``combine`` how several are joined; only the complement items need more than one.
    """

    code: str
    name: str
    weight: int
    domain: str
    definition: str
    entries: tuple[str, ...] = ()
    combine: Literal["any", "all"] = "all"

    @property
    def kind(self) -> DomainKind:
        return DOMAIN_BY_CODE[self.domain].kind

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.entries or (self.code,)


ITEMS: tuple[Item, ...] = (
    Item("fever", "Fever", 2, "constitutional", "Temperature > 38.3 °C."),
    Item("leukopenia", "Leukopenia", 3, "hematologic",
         "White blood cell count < 4,000/mm³ (4.0 ×10⁹/L)."),
    Item("thrombocytopenia", "Thrombocytopenia", 4, "hematologic",
         "Platelet count < 100,000/mm³ (100 ×10⁹/L)."),
    Item("autoimmune_hemolysis", "Autoimmune hemolysis", 4, "hematologic",
         "Evidence of hemolysis (such as reticulocytosis, low haptoglobin, elevated indirect "
         "bilirubin, elevated LDH) and a positive direct antiglobulin (Coombs) test."),
    Item("delirium", "Delirium", 2, "neuropsychiatric",
         "Change in consciousness or level of arousal with reduced ability to focus, "
         "developing over hours to < 2 days, fluctuating through the day, with an acute or "
         "subacute change in cognition or a change in behaviour, mood or affect."),
    Item("psychosis", "Psychosis", 3, "neuropsychiatric",
         "Delusions and/or hallucinations without insight, in the absence of delirium."),
    Item("seizure", "Seizure", 5, "neuropsychiatric",
         "Primary generalised seizure or partial/focal seizure."),
    Item("non_scarring_alopecia", "Non-scarring alopecia", 2, "mucocutaneous",
         "Non-scarring alopecia observed by a clinician."),
    Item("oral_ulcers", "Oral ulcers", 2, "mucocutaneous",
         "Oral ulcers observed by a clinician."),
    Item("subacute_cutaneous_or_discoid_lupus", "Subacute cutaneous or discoid lupus", 4,
         "mucocutaneous",
         "Subacute cutaneous lupus (annular or papulosquamous eruption, usually "
         "photodistributed) or discoid lupus (erythematous-violaceous lesions with atrophic "
         "scarring, dyspigmentation, follicular hyperkeratosis or plugging) observed by a "
         "clinician; if biopsied, with the typical interface dermatitis."),
    Item("acute_cutaneous_lupus", "Acute cutaneous lupus", 6, "mucocutaneous",
         "Malar rash or generalised maculopapular rash observed by a clinician; if biopsied, "
         "with the typical interface dermatitis."),
    Item("pleural_or_pericardial_effusion", "Pleural or pericardial effusion", 5, "serosal",
         "Imaging evidence (ultrasound, X-ray, CT or MRI) of pleural or pericardial effusion, "
         "or both."),
    Item("acute_pericarditis", "Acute pericarditis", 6, "serosal",
         "At least 2 of: pericardial chest pain, pericardial rub, ECG with new widespread ST "
         "elevation or PR depression, new or worsened pericardial effusion on imaging."),
    Item("joint_involvement", "Joint involvement", 6, "musculoskeletal",
         "Synovitis in at least 2 joints (swelling or effusion), or tenderness in at least 2 "
         "joints with at least 30 minutes of morning stiffness."),
    Item("proteinuria", "Proteinuria > 0.5 g/24 h", 4, "renal",
         "Proteinuria > 0.5 g/24 h by 24-hour urine or an equivalent spot urine "
         "protein/creatinine ratio."),
    Item("renal_biopsy_class_ii_or_v", "Renal biopsy class II or V lupus nephritis", 8, "renal",
         "Class II (mesangial proliferative) or class V (membranous) lupus nephritis on renal "
         "biopsy by the ISN/RPS 2003 classification."),
    Item("renal_biopsy_class_iii_or_iv", "Renal biopsy class III or IV lupus nephritis", 10,
         "renal",
         "Class III (focal) or class IV (diffuse) lupus nephritis on renal biopsy by the "
         "ISN/RPS 2003 classification."),
    Item("antiphospholipid_antibodies", "Antiphospholipid antibodies", 2,
         "antiphospholipid_antibodies",
         "Anticardiolipin antibodies (IgA, IgG or IgM) at medium or high titre (> 40 APL, GPL "
         "or MPL units, or > the 99th percentile), or positive anti-β2GP1 antibodies (IgA, IgG "
         "or IgM), or positive lupus anticoagulant."),
    Item("low_c3_or_low_c4", "Low C3 or low C4", 3, "complement_proteins",
         "C3 or C4 below the lower limit of normal.",
         entries=("low_c3", "low_c4"), combine="any"),
    Item("low_c3_and_low_c4", "Low C3 and low C4", 4, "complement_proteins",
         "Both C3 and C4 below their lower limits of normal.",
         entries=("low_c3", "low_c4"), combine="all"),
    Item("anti_dsdna_or_anti_smith", "Anti-dsDNA or anti-Smith antibodies", 6,
         "sle_specific_antibodies",
         "Anti-dsDNA antibodies in an immunoassay with at least 90% specificity for SLE "
         "against relevant disease controls, or anti-Smith antibodies."),
)  # fmt: skip

ITEM_BY_CODE: dict[str, Item] = {item.code: item for item in ITEMS}
ENTRIES: tuple[str, ...] = tuple(dict.fromkeys(name for item in ITEMS for name in item.inputs))
"""The item input fields, in table order: every item code, with low_c3/low_c4 for complement."""

MAXIMUM_TOTAL = sum(
    max(item.weight for item in ITEMS if item.domain == domain.code) for domain in DOMAINS
)  # 51
CLASSIFICATION_THRESHOLD = 10
ANA_MINIMUM_TITRE = 80
"""The entry criterion's titre denominator: 1:80 or higher on HEp-2 cells."""
MORNING_STIFFNESS_MINUTES = 30
"""Tenderness in at least 2 joints counts only with at least this much morning stiffness."""

_ENTRY_LABELS: dict[str, str] = {
    "low_c3": "Low C3",
    "low_c4": "Low C4",
    **{item.code: item.name for item in ITEMS if not item.entries},
}
_ENTRY_KIND: dict[str, DomainKind] = {name: item.kind for item in ITEMS for name in item.inputs}
_COMBINE: dict[str, Callable[[Iterable[Status]], Status]] = {"any": any_of, "all": all_of}


VALUE_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("fever", "temperature", ">", 38.3, "°C"),
    Threshold("leukopenia", "leukocytes", "<", 4.0, "10^9/L"),
    Threshold("thrombocytopenia", "platelets", "<", 100.0, "10^9/L"),
    Threshold("proteinuria", "urine_protein_24h", ">", 0.5, "g/24h"),
    # The paper accepts an "equivalent spot urine protein-to-creatinine ratio".
    Threshold("proteinuria", "urine_protein_creatinine_ratio", ">", 0.5, "g/g"),
)
"""Each threshold is strict, as published: exactly 38.3 °C or 4.0 ×10⁹/L does not meet it."""

_ATTRIBUTION = (
    "Counts only if there is no more likely explanation than SLE; once is enough. "
    "true = present on at least one occasion, false = never present or better explained by "
    "another cause, omitted = not assessed."
)


def _item_field(code: str) -> bool | None:
    item = ITEM_BY_CODE[code]
    domain = DOMAIN_BY_CODE[item.domain]
    return Field(
        default=None,
        description=f"{item.name} ({domain.name} domain, weight {item.weight}): "
        f"{item.definition} {_ATTRIBUTION}",
    )


def _complement_field(component: str) -> bool | None:
    return Field(
        default=None,
        description=f"Serum {component} below the testing laboratory's lower limit of normal "
        f"(Complement proteins domain: low C3 or low C4 scores 3, both 4). {_ATTRIBUTION}",
    )


class EularAcr2019Input(StrictModel):
    """Data for the 2019 EULAR/ACR classification: criteria judgements and recorded values."""

    date: PastDate | None = Field(default=None, description="Date of the classification.")
    ana_titre_denominator: int | None = Field(
        default=None,
        ge=1,
        description="Highest ANA titre on HEp-2 cells as its denominator (160 for 1:160); "
        "1:80 or higher meets the entry criterion.",
    )
    ana_positive_at_least_1_80: bool | None = Field(
        default=None,
        description="Entry criterion: ANA at a titre of at least 1:80 on HEp-2 cells or an "
        "equivalent positive test (e.g. a solid-phase immunoassay of at least equivalent "
        "performance), at least once. Counts over a disagreeing titre; omitted = not assessed.",
    )
    fever: bool | None = _item_field("fever")
    leukopenia: bool | None = _item_field("leukopenia")
    thrombocytopenia: bool | None = _item_field("thrombocytopenia")
    autoimmune_hemolysis: bool | None = _item_field("autoimmune_hemolysis")
    delirium: bool | None = _item_field("delirium")
    psychosis: bool | None = _item_field("psychosis")
    seizure: bool | None = _item_field("seizure")
    non_scarring_alopecia: bool | None = _item_field("non_scarring_alopecia")
    oral_ulcers: bool | None = _item_field("oral_ulcers")
    subacute_cutaneous_or_discoid_lupus: bool | None = _item_field(
        "subacute_cutaneous_or_discoid_lupus"
    )
    acute_cutaneous_lupus: bool | None = _item_field("acute_cutaneous_lupus")
    pleural_or_pericardial_effusion: bool | None = _item_field("pleural_or_pericardial_effusion")
    acute_pericarditis: bool | None = _item_field("acute_pericarditis")
    joint_involvement: bool | None = _item_field("joint_involvement")
    synovitis_two_or_more_joints: bool | None = Field(
        default=None,
        description="Synovitis (swelling or effusion) in at least 2 joints, at least once; "
        "meets joint involvement on its own. Omitted = not assessed.",
    )
    tenderness_two_or_more_joints: bool | None = Field(
        default=None,
        description="Tenderness in at least 2 joints, at least once; meets joint involvement "
        "only with at least 30 minutes of morning stiffness. Omitted = not assessed.",
    )
    morning_stiffness_minutes: int | None = Field(
        default=None,
        ge=0,
        description="Duration of morning stiffness with the joint tenderness, in minutes "
        "(at least 30 needed). Omitted = not assessed.",
    )
    proteinuria: bool | None = _item_field("proteinuria")
    renal_biopsy_class_ii_or_v: bool | None = _item_field("renal_biopsy_class_ii_or_v")
    renal_biopsy_class_iii_or_iv: bool | None = _item_field("renal_biopsy_class_iii_or_iv")
    antiphospholipid_antibodies: bool | None = _item_field("antiphospholipid_antibodies")
    low_c3: bool | None = _complement_field("C3")
    low_c4: bool | None = _complement_field("C4")
    anti_dsdna_or_anti_smith: bool | None = _item_field("anti_dsdna_or_anti_smith")
    temperature: Temperature | None = Field(
        default=None, description="Highest body temperature recorded (fever is > 38.3 °C)."
    )
    leukocytes: CellCount | None = Field(
        default=None,
        description="Lowest white blood cell count recorded (leukopenia is < 4.0 ×10⁹/L).",
    )
    platelets: CellCount | None = Field(
        default=None,
        description="Lowest platelet count recorded (thrombocytopenia is < 100 ×10⁹/L).",
    )
    urine_protein_24h: UrineProtein24h | None = Field(
        default=None,
        description="Highest protein in a 24-hour urine collection (criterion: > 0.5 g/24h).",
    )
    urine_protein_creatinine_ratio: UrineProteinCreatinineRatio | None = Field(
        default=None,
        description="Highest spot urine protein/creatinine ratio (criterion: > 0.5 g/g).",
    )

    def entered(self, entry: str) -> bool | None:
        """The clinician's entry for one item input (None when not assessed)."""
        value: bool | None = getattr(self, entry)
        return value


Basis = Literal["entered", "derived", "not assessed"]


class ItemFinding(StrictModel):
    """How one criterion was judged: its status, the basis, and any disagreement."""

    code: str
    name: str
    weight: int
    domain: str
    kind: DomainKind
    status: Status
    basis: Basis
    derived_from: str | None = None
    discrepancy: str | None = None


class DomainScore(StrictModel):
    """One domain's contribution: only its highest-weighted criterion present counts."""

    code: str
    name: str
    kind: DomainKind
    points: int = Field(description="Weight of the highest criterion known present, or 0.")
    maximum_possible: int = Field(
        description="Points if every criterion not assessed in the domain were present."
    )
    counted_item: str | None = Field(
        description="Code of the criterion that counted (the first listed on a tie)."
    )
    status: Status = Field(description="Whether any criterion of the domain is present.")


class EularAcr2019Result(StrictModel):
    """A 2019 EULAR/ACR classification that explains itself (Aringer 2019)."""

    instrument: str = "2019 EULAR/ACR"
    source: str = ARINGER_2019
    date: PastDate | None = None
    entry_criterion: Status = Field(description="ANA at least 1:80 at least once.")
    entry_basis: Basis
    entry_derived_from: str | None = Field(
        default=None, description="The titre the entry criterion was judged or checked from."
    )
    total: int = Field(description="Points from criteria known present, highest per domain.")
    maximum_possible: int = Field(
        description="Points if every criterion not assessed were present, highest per domain."
    )
    domains: list[DomainScore]
    items: list[ItemFinding]
    clinical_item: Status = Field(description="Whether at least one clinical criterion counts.")
    classified: Status
    reasons: list[str] = Field(description="Why the patient is classified, or not, or maybe.")
    missing: list[str] = Field(
        description="Item inputs not assessed (low_c3/low_c4 for the complement domain)."
    )
    derived: list[str] = Field(description="Item inputs judged from recorded values.")
    discrepancies: list[str] = Field(
        description="Entered values that disagree with the recorded values."
    )

    def domain(self, code: str) -> DomainScore:
        for domain in self.domains:
            if domain.code == code:
                return domain
        raise KeyError(code)

    def finding(self, code: str) -> ItemFinding:
        for finding in self.items:
            if finding.code == code:
                return finding
        raise KeyError(code)

    def summary_line(self) -> str:
        if self.total == self.maximum_possible:
            points = f"{self.total} points"
        else:
            points = f"{self.total}–{self.maximum_possible} points"
        if self.classified is Status.MET:
            # Once classified, the points still possible from unassessed items change nothing.
            return f"{self.instrument}: classified ({self.total} points; entry criterion met)"
        if self.classified is Status.NOT_MET:
            if self.maximum_possible < CLASSIFICATION_THRESHOLD:
                points += f" < {CLASSIFICATION_THRESHOLD}"
            parts = [points]
            if self.entry_criterion is Status.NOT_MET:
                parts.append("entry criterion not met")
            if self.clinical_item is Status.NOT_MET:
                parts.append("no clinical item")
            return f"{self.instrument}: not classified ({'; '.join(parts)})"
        unassessed = (["ANA"] if self.entry_criterion is Status.UNKNOWN else []) + self.missing
        return f"{self.instrument}: undetermined ({points}; not assessed: {', '.join(unassessed)})"


@dataclass(frozen=True)
class _Judgement:
    status: Status
    basis: Basis
    derived_from: str | None = None
    discrepancy: str | None = None


def _threshold_judgement(inp: EularAcr2019Input, entry: str) -> tuple[bool, str] | None:
    """Judge a criterion from the most extreme recorded values (Aringer 2019)."""
    # One occasion suffices: any value over its threshold meets the criterion.
    evidence = any_crossed(VALUE_THRESHOLDS, entry, inp)
    return None if evidence is None else (evidence.present, evidence.note)


def _joint_involvement(inp: EularAcr2019Input) -> tuple[bool, str] | None:
    """Synovitis in ≥2 joints, or tenderness in ≥2 with ≥30 min morning stiffness (Aringer 2019)."""
    synovitis = Status.of(inp.synovitis_two_or_more_joints)
    tenderness = Status.of(inp.tenderness_two_or_more_joints)
    minutes = inp.morning_stiffness_minutes
    stiffness = (
        Status.UNKNOWN if minutes is None else Status.of(minutes >= MORNING_STIFFNESS_MINUTES)
    )
    status = any_of([synovitis, all_of([tenderness, stiffness])])
    if status is Status.UNKNOWN:
        return None
    notes = []
    if synovitis is not Status.UNKNOWN:
        notes.append(f"synovitis in ≥2 joints {_word(synovitis is Status.MET)}")
    if tenderness is not Status.UNKNOWN:
        notes.append(f"tenderness in ≥2 joints {_word(tenderness is Status.MET)}")
    if minutes is not None:
        sign = "≥" if stiffness is Status.MET else "<"
        notes.append(f"morning stiffness {minutes} min {sign} {MORNING_STIFFNESS_MINUTES} min")
    return status is Status.MET, "; ".join(notes)


def _ana_titre(inp: EularAcr2019Input) -> tuple[bool, str] | None:
    """The entry criterion from a titre: ANA at 1:80 or higher (Aringer 2019)."""
    titre = inp.ana_titre_denominator
    if titre is None:
        return None
    present = titre >= ANA_MINIMUM_TITRE
    return present, f"ANA 1:{titre} {'≥' if present else '<'} 1:{ANA_MINIMUM_TITRE}"


def _derivation(inp: EularAcr2019Input, entry: str) -> tuple[bool, str] | None:
    """Judge an item input from recorded values, if they allow it (Aringer 2019)."""
    if entry == "joint_involvement":
        return _joint_involvement(inp)
    return _threshold_judgement(inp, entry)


def _word(present: bool) -> str:
    return "present" if present else "absent"


def _judge(entered: bool | None, derived: tuple[bool, str] | None, label: str) -> _Judgement:
    """An entered value counts over a derived one; disagreement is reported (Aringer 2019)."""
    if entered is not None:
        discrepancy = None
        if derived is not None and derived[0] != entered:
            discrepancy = (
                f"{label} entered as {_word(entered)}, but the recorded values say "
                f"{_word(derived[0])} ({derived[1]}); the entered value counts."
            )
        derived_from = derived[1] if derived is not None else None
        return _Judgement(Status.of(entered), "entered", derived_from, discrepancy)
    if derived is not None:
        return _Judgement(Status.of(derived[0]), "derived", derived[1])
    return _Judgement(Status.UNKNOWN, "not assessed")


def _finding(item: Item, judged: dict[str, _Judgement]) -> ItemFinding:
    """Judge one criterion from its inputs, joined as the table says (Aringer 2019)."""
    parts = [judged[name] for name in item.inputs]
    status = _COMBINE[item.combine](part.status for part in parts)
    basis: Basis
    if status is Status.UNKNOWN:
        basis = "not assessed"
    elif any(part.basis == "derived" for part in parts):
        basis = "derived"
    else:
        basis = "entered"
    derived_from = "; ".join(p.derived_from for p in parts if p.derived_from) or None
    discrepancy = " ".join(p.discrepancy for p in parts if p.discrepancy) or None
    return ItemFinding.trusted(
        code=item.code,
        name=item.name,
        weight=item.weight,
        domain=item.domain,
        kind=item.kind,
        status=status,
        basis=basis,
        derived_from=derived_from,
        discrepancy=discrepancy,
    )


def _domain_score(domain: Domain, findings: list[ItemFinding]) -> DomainScore:
    """Only the highest-weighted criterion present in a domain counts (Aringer 2019)."""
    own = [f for f in findings if f.domain == domain.code]
    present = [f for f in own if f.status is Status.MET]
    possible = [f for f in own if f.status is not Status.NOT_MET]
    # max() keeps the first of equal weights, i.e. the first listed in the table.
    counted = max(present, key=lambda f: f.weight, default=None)
    return DomainScore.trusted(
        code=domain.code,
        name=domain.name,
        kind=domain.kind,
        points=counted.weight if counted is not None else 0,
        maximum_possible=max((f.weight for f in possible), default=0),
        counted_item=counted.code if counted is not None else None,
        status=any_of(f.status for f in own),
    )


def _at_least(total: int, maximum_possible: int, threshold: int) -> Status:
    """Whether the points reach the threshold, three-valued over unknown items (Aringer 2019)."""
    if total >= threshold:
        return Status.MET
    if maximum_possible < threshold:
        return Status.NOT_MET
    return Status.UNKNOWN


def _entry_reason(entry: _Judgement) -> str:
    """Explain the entry criterion, ANA at least 1:80 (Aringer 2019)."""
    if entry.status is Status.UNKNOWN:
        return "entry criterion not assessed: no ANA result"
    met = entry.status is Status.MET
    if entry.derived_from is not None and entry.discrepancy is None:
        detail = entry.derived_from
    else:
        detail = f"entered as {'positive' if met else 'negative'}"
    if met:
        return f"entry criterion met: ANA ≥ 1:{ANA_MINIMUM_TITRE} ({detail})"
    return f"entry criterion not met: ANA below 1:{ANA_MINIMUM_TITRE} ({detail})"


def _clinical_reason(status: Status, domains: list[DomainScore], missing: list[str]) -> str:
    """Explain the requirement of at least one clinical criterion (Aringer 2019)."""
    if status is Status.MET:
        counted = [
            f"{ITEM_BY_CODE[d.counted_item].name} ({d.points})"
            for d in domains
            if d.kind is DomainKind.CLINICAL and d.counted_item is not None
        ]
        return f"at least one clinical item: {', '.join(counted)}"
    if status is Status.NOT_MET:
        return "no clinical item (immunologic items alone do not classify)"
    unassessed = [name for name in missing if _ENTRY_KIND[name] is DomainKind.CLINICAL]
    return f"no clinical item known present; not assessed: {', '.join(unassessed)}"


def _points_reason(total: int, maximum_possible: int) -> str:
    """Explain the threshold of 10 points (Aringer 2019)."""
    threshold = CLASSIFICATION_THRESHOLD
    if total >= threshold:
        return f"total {total} ≥ {threshold}"
    if maximum_possible <= total:
        return f"total {total} < {threshold}"
    if maximum_possible < threshold:
        return (
            f"total {total} < {threshold}, and at most {maximum_possible} even if every item "
            "not assessed were present"
        )
    return (
        f"total {total} < {threshold}, but up to {maximum_possible} if the items not assessed "
        "were present"
    )


def score_eular_acr_2019(inp: EularAcr2019Input) -> EularAcr2019Result:
    """Classify SLE by the 2019 EULAR/ACR criteria from judgements and values (Aringer 2019)."""
    judged = {
        name: _judge(inp.entered(name), _derivation(inp, name), _ENTRY_LABELS[name])
        for name in ENTRIES
    }
    entry = _judge(inp.ana_positive_at_least_1_80, _ana_titre(inp), f"ANA ≥ 1:{ANA_MINIMUM_TITRE}")
    findings = [_finding(item, judged) for item in ITEMS]
    domains = [_domain_score(domain, findings) for domain in DOMAINS]
    total = sum(d.points for d in domains)
    maximum_possible = sum(d.maximum_possible for d in domains)
    clinical_item = any_of(d.status for d in domains if d.kind is DomainKind.CLINICAL)
    points = _at_least(total, maximum_possible, CLASSIFICATION_THRESHOLD)
    # Kleene conjunction is exact here, not just safe: making every criterion not assessed
    # present both maximises the total and supplies a clinical item whenever one is still
    # possible, so a single completion meets the points and clinical conditions together.
    classified = all_of([entry.status, clinical_item, points])
    missing = [name for name, j in judged.items() if j.status is Status.UNKNOWN]
    conditions = [
        (entry.status, _entry_reason(entry)),
        (clinical_item, _clinical_reason(clinical_item, domains, missing)),
        (points, _points_reason(total, maximum_possible)),
    ]
    # A classification is explained by every condition; a failure or an open question only
    # by the conditions that decide it.
    reasons = [text for status, text in conditions if status is classified]
    discrepancies = [j.discrepancy for j in (entry, *judged.values()) if j.discrepancy]
    return EularAcr2019Result.trusted(
        date=inp.date,
        entry_criterion=entry.status,
        entry_basis=entry.basis,
        entry_derived_from=entry.derived_from,
        total=total,
        maximum_possible=maximum_possible,
        domains=domains,
        items=findings,
        clinical_item=clinical_item,
        classified=classified,
        reasons=reasons,
        missing=missing,
        derived=[name for name, j in judged.items() if j.basis == "derived"],
        discrepancies=discrepancies,
    )
