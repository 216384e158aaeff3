"""SLEDAI-2K: the Systemic Lupus Erythematosus Disease Activity Index 2000 (Gladman 2002).

Twenty-four descriptors, each scored with its fixed weight when present within the
look-back window (10 days in Gladman 2002; 30 days is the validated variant of Touma 2010).
The total runs from 0 to 105. The clinical SLEDAI-2K leaves out the two serology
descriptors (low complement, increased DNA binding), as the DORIS recommendation does.

Clinician-judged descriptors are entered as booleans. The laboratory descriptors may
instead be derived from raw results with units; when both an entered value and a
derivable result exist and they disagree, the entered value counts (the clinician may have
excluded a cause such as infection or a drug) and the result says so.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from lupustrial.clinical import limits
from lupustrial.clinical.model import PastDate, Reason, StrictModel, share
from lupustrial.clinical.sources import GLADMAN_2002, TOUMA_2010
from lupustrial.clinical.status import MET, NOT_MET, UNKNOWN, CodeEnum, Status
from lupustrial.clinical.thresholds import Threshold, first_given
from lupustrial.clinical.units import (
    CellCount,
    CellsPerHighPowerField,
    ProteinConcentration,
    Quantity,
    Temperature,
    UrineProtein24h,
    UrineProteinCreatinineRatio,
)


class OrganSystem(CodeEnum):
    """Organ systems, grouped as LLDAS (Franklyn 2016) names its major ones."""

    CNS = "central nervous system"
    VASCULAR = "vascular"
    MUSCULOSKELETAL = "musculoskeletal"
    RENAL = "renal"
    MUCOCUTANEOUS = "mucocutaneous"
    CARDIOPULMONARY = "cardiopulmonary"
    IMMUNOLOGIC = "immunologic"
    CONSTITUTIONAL = "constitutional"
    HAEMATOLOGIC = "haematologic"


@dataclass(frozen=True)
class Descriptor:
    """One SLEDAI-2K descriptor with its weight and the definition it is scored by."""

    code: str
    name: str
    weight: int
    organ_system: OrganSystem
    definition: str
    serology: bool = False


DESCRIPTORS: tuple[Descriptor, ...] = (
    Descriptor("seizure", "Seizure", 8, OrganSystem.CNS,
               "Recent onset, excluding metabolic, infectious or drug causes."),
    Descriptor("psychosis", "Psychosis", 8, OrganSystem.CNS,
               "Altered ability to function in normal activity due to severe disturbance in "
               "the perception of reality, excluding uraemia and drug causes."),
    Descriptor("organic_brain_syndrome", "Organic brain syndrome", 8, OrganSystem.CNS,
               "Altered mental function with impaired orientation, memory or other "
               "intellectual function, with rapid onset and fluctuating clinical features, "
               "excluding metabolic, infectious or drug causes."),
    Descriptor("visual_disturbance", "Visual disturbance", 8, OrganSystem.CNS,
               "Retinal changes of SLE (cytoid bodies, retinal haemorrhages, serous exudate "
               "or haemorrhages in the choroid, or optic neuritis), excluding hypertension, "
               "infection or drug causes."),
    Descriptor("cranial_nerve_disorder", "Cranial nerve disorder", 8, OrganSystem.CNS,
               "New onset of sensory or motor neuropathy involving cranial nerves."),
    Descriptor("lupus_headache", "Lupus headache", 8, OrganSystem.CNS,
               "Severe persistent headache, may be migrainous, unresponsive to narcotic "
               "analgesia."),
    Descriptor("cva", "Cerebrovascular accident", 8, OrganSystem.CNS,
               "New onset of cerebrovascular accident(s), excluding arteriosclerosis."),
    Descriptor("vasculitis", "Vasculitis", 8, OrganSystem.VASCULAR,
               "Ulceration, gangrene, tender finger nodules, periungual infarction, splinter "
               "haemorrhages, or biopsy or angiogram proof of vasculitis."),
    Descriptor("arthritis", "Arthritis", 4, OrganSystem.MUSCULOSKELETAL,
               "At least 2 joints with pain and signs of inflammation (tenderness, swelling "
               "or effusion)."),
    Descriptor("myositis", "Myositis", 4, OrganSystem.MUSCULOSKELETAL,
               "Proximal muscle aching or weakness, with elevated creatine phosphokinase or "
               "aldolase, electromyogram changes, or a biopsy showing myositis."),
    Descriptor("urinary_casts", "Urinary casts", 4, OrganSystem.RENAL,
               "Heme-granular or red blood cell casts."),
    Descriptor("hematuria", "Hematuria", 4, OrganSystem.RENAL,
               ">5 red blood cells per high-power field, excluding stone, infection or other "
               "cause."),
    Descriptor("proteinuria", "Proteinuria", 4, OrganSystem.RENAL,
               ">0.5 g of protein per 24 hours."),
    Descriptor("pyuria", "Pyuria", 4, OrganSystem.RENAL,
               ">5 white blood cells per high-power field, excluding infection."),
    Descriptor("rash", "Rash", 2, OrganSystem.MUCOCUTANEOUS, "Inflammatory type rash."),
    Descriptor("alopecia", "Alopecia", 2, OrganSystem.MUCOCUTANEOUS,
               "Abnormal, patchy or diffuse loss of hair."),
    Descriptor("mucosal_ulcers", "Mucosal ulcers", 2, OrganSystem.MUCOCUTANEOUS,
               "Oral or nasal ulcerations."),
    Descriptor("pleurisy", "Pleurisy", 2, OrganSystem.CARDIOPULMONARY,
               "Pleuritic chest pain with pleural rub or effusion, or pleural thickening."),
    Descriptor("pericarditis", "Pericarditis", 2, OrganSystem.CARDIOPULMONARY,
               "Pericardial pain with at least one of rub, effusion, or electrocardiogram or "
               "echocardiogram confirmation."),
    Descriptor("low_complement", "Low complement", 2, OrganSystem.IMMUNOLOGIC,
               "Decrease in CH50, C3 or C4 below the lower limit of normal for the testing "
               "laboratory.", serology=True),
    Descriptor("increased_dna_binding", "Increased DNA binding", 2, OrganSystem.IMMUNOLOGIC,
               "Increased DNA binding above the normal range for the testing laboratory.",
               serology=True),
    Descriptor("fever", "Fever", 1, OrganSystem.CONSTITUTIONAL,
               ">38 °C, excluding infectious cause."),
    Descriptor("thrombocytopenia", "Thrombocytopenia", 1, OrganSystem.HAEMATOLOGIC,
               "<100 ×10⁹ platelets/L, excluding drug causes."),
    Descriptor("leukopenia", "Leukopenia", 1, OrganSystem.HAEMATOLOGIC,
               "<3 ×10⁹ white blood cells/L, excluding drug causes."),
)  # fmt: skip

DESCRIPTOR_BY_CODE: dict[str, Descriptor] = {d.code: d for d in DESCRIPTORS}
MAXIMUM_TOTAL = sum(d.weight for d in DESCRIPTORS)  # 105
LOOKBACK_DAYS: dict[int, str] = {10: GLADMAN_2002, 30: TOUMA_2010}


LAB_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("thrombocytopenia", "platelets", "<", 100.0, "10^9/L"),
    Threshold("leukopenia", "leukocytes", "<", 3.0, "10^9/L"),
    Threshold("fever", "temperature", ">", 38.0, "°C"),
    # A 24-hour collection is the definition; the spot ratio is its accepted surrogate, and
    # the earlier of the two in this table wins when both are given.
    Threshold("proteinuria", "urine_protein_24h", ">", 0.5, "g/24h"),
    Threshold("proteinuria", "urine_protein_creatinine_ratio", ">", 0.5, "g/g"),
    Threshold("hematuria", "urine_rbc_per_hpf", ">", 5.0, "/hpf"),
    Threshold("pyuria", "urine_wbc_per_hpf", ">", 5.0, "/hpf"),
)
"""Each threshold is strict, as published: exactly 100 platelets or 38.0 °C is not present."""


def _descriptor_field(code: str) -> bool | None:
    descriptor = DESCRIPTOR_BY_CODE[code]
    return Field(
        default=None,
        description=f"{descriptor.name} (weight {descriptor.weight}): {descriptor.definition} "
        "true = present in the look-back window, false = absent, omitted = not assessed.",
    )


class AntiDsDna(StrictModel):
    """An anti-dsDNA result with the testing laboratory's upper limit, in the lab's own unit."""

    value: float = Field(ge=0, description="The measured anti-dsDNA level.")
    upper_limit_of_normal: float = Field(
        gt=0, description="The testing laboratory's upper limit of normal, in the same unit."
    )
    unit: str = Field(min_length=1, description="The laboratory's unit, e.g. IU/mL.")


class ComplementLevel(StrictModel):
    """A complement level with the testing laboratory's lower limit of normal."""

    value: ProteinConcentration = Field(description="The measured level, e.g. 0.7 g/L.")
    lower_limit_of_normal: ProteinConcentration = Field(
        description="The testing laboratory's lower limit of normal."
    )


class Sledai2kLabs(StrictModel):
    """Raw results from which the laboratory descriptors can be derived."""

    platelets: Annotated[CellCount | None, limits.PLATELETS] = Field(
        default=None, description="Platelet count."
    )
    leukocytes: Annotated[CellCount | None, limits.LEUKOCYTES] = Field(
        default=None, description="White blood cell count."
    )
    temperature: Temperature | None = Field(default=None, description="Body temperature.")
    urine_protein_24h: UrineProtein24h | None = Field(
        default=None, description="Protein in a 24-hour urine collection."
    )
    urine_protein_creatinine_ratio: UrineProteinCreatinineRatio | None = Field(
        default=None, description="Spot urine protein/creatinine ratio."
    )
    urine_rbc_per_hpf: CellsPerHighPowerField | None = Field(
        default=None, description="Urine red blood cells per high-power field."
    )
    urine_wbc_per_hpf: CellsPerHighPowerField | None = Field(
        default=None, description="Urine white blood cells per high-power field."
    )
    c3: ComplementLevel | None = Field(default=None, description="Serum C3.")
    c4: ComplementLevel | None = Field(default=None, description="Serum C4.")
    anti_dsdna: AntiDsDna | None = Field(default=None, description="Anti-dsDNA antibody.")


class Sledai2kInput(StrictModel):
    """One SLEDAI-2K assessment: descriptor judgements and, optionally, raw laboratory results."""

    date: PastDate | None = Field(default=None, description="Date of the assessment.")
    lookback_days: Literal[10, 30] = Field(
        default=10,
        description="Look-back window: 10 days (Gladman 2002) or 30 days (Touma 2010).",
    )
    seizure: bool | None = _descriptor_field("seizure")
    psychosis: bool | None = _descriptor_field("psychosis")
    organic_brain_syndrome: bool | None = _descriptor_field("organic_brain_syndrome")
    visual_disturbance: bool | None = _descriptor_field("visual_disturbance")
    cranial_nerve_disorder: bool | None = _descriptor_field("cranial_nerve_disorder")
    lupus_headache: bool | None = _descriptor_field("lupus_headache")
    cva: bool | None = _descriptor_field("cva")
    vasculitis: bool | None = _descriptor_field("vasculitis")
    arthritis: bool | None = _descriptor_field("arthritis")
    myositis: bool | None = _descriptor_field("myositis")
    urinary_casts: bool | None = _descriptor_field("urinary_casts")
    hematuria: bool | None = _descriptor_field("hematuria")
    proteinuria: bool | None = _descriptor_field("proteinuria")
    pyuria: bool | None = _descriptor_field("pyuria")
    rash: bool | None = _descriptor_field("rash")
    alopecia: bool | None = _descriptor_field("alopecia")
    mucosal_ulcers: bool | None = _descriptor_field("mucosal_ulcers")
    pleurisy: bool | None = _descriptor_field("pleurisy")
    pericarditis: bool | None = _descriptor_field("pericarditis")
    low_complement: bool | None = _descriptor_field("low_complement")
    increased_dna_binding: bool | None = _descriptor_field("increased_dna_binding")
    fever: bool | None = _descriptor_field("fever")
    thrombocytopenia: bool | None = _descriptor_field("thrombocytopenia")
    leukopenia: bool | None = _descriptor_field("leukopenia")
    labs: Sledai2kLabs | None = Field(
        default=None, description="Raw results to derive the laboratory descriptors from."
    )

    def entered(self, code: str) -> bool | None:
        """The clinician's entry for one descriptor (None when not assessed)."""
        value: bool | None = getattr(self, code)
        return value


Basis = Literal["entered", "derived", "not assessed"]


class DescriptorFinding(StrictModel):
    """How one descriptor was judged: its status, the basis, and any disagreement."""

    code: str
    name: str
    weight: int
    organ_system: OrganSystem
    status: Status
    basis: Basis
    derived_from: str | None = None
    discrepancy: str | None = None
    reasons: tuple[Reason, ...] = Field(
        default=(),
        exclude=True,  # derived_from's codes and values, for the pages; the JSON keeps its English
        description="The laboratory judgement as codes and values, for another language.",
    )

    @property
    def points(self) -> int:
        return self.weight if self.status is MET else 0


class Sledai2kResult(StrictModel):
    """A scored SLEDAI-2K that explains itself (Gladman 2002)."""

    instrument: str = "SLEDAI-2K"
    source: str = GLADMAN_2002
    date: PastDate | None = None
    lookback_days: int
    lookback_source: str = Field(description="The source of the look-back window used.")
    total: int = Field(description="Sum of the weights of the descriptors present.")
    clinical_total: int = Field(description="Total without the two serology descriptors.")
    maximum_possible: int = Field(
        description="Total if every descriptor not assessed were present (an upper bound)."
    )
    clinical_maximum_possible: int
    complete: bool = Field(description="True when every descriptor was assessed.")
    present: list[str] = Field(description="Codes of the descriptors present.")
    missing: list[str] = Field(description="Codes of the descriptors not assessed.")
    derived: list[str] = Field(description="Codes judged from laboratory results.")
    discrepancies: list[str] = Field(
        description="Entered values that disagree with the laboratory results."
    )
    findings: list[DescriptorFinding]

    def finding(self, code: str) -> DescriptorFinding:
        for finding in self.findings:
            if finding.code == code:
                return finding
        raise KeyError(code)

    def at_least(self, threshold: int, *, clinical: bool = False) -> Status:
        """Whether the score reaches ``threshold``, three-valued when descriptors are missing."""
        low, high = (
            (self.clinical_total, self.clinical_maximum_possible)
            if clinical
            else (self.total, self.maximum_possible)
        )
        if low >= threshold:
            return MET
        if high < threshold:
            return NOT_MET
        return UNKNOWN

    def at_most(self, threshold: int, *, clinical: bool = False) -> Status:
        """Whether the score stays at or below ``threshold``, three-valued like ``at_least``."""
        low, high = (
            (self.clinical_total, self.clinical_maximum_possible)
            if clinical
            else (self.total, self.maximum_possible)
        )
        return range_at_most(low, high, threshold)

    def summary_line(self) -> str:
        score = f"{self.total}" if self.complete else f"{self.total}-{self.maximum_possible}"
        items = ", ".join(f"{f.name} {f.weight}" for f in self.findings if f.status is MET)
        line = f"SLEDAI-2K {score} (clinical {self.clinical_total}): {items or 'no descriptor'}"
        if self.missing:
            line += f"; not assessed: {', '.join(self.missing)}"
        return line


def range_at_most(low: int, high: int, threshold: int) -> Status:
    """Whether a score known to lie in ``low``..``high`` stays at or below ``threshold``."""
    if high <= threshold:
        return MET
    if low > threshold:
        return NOT_MET
    return UNKNOWN


_Derived = tuple[bool, str, tuple[Reason, ...]]
"""A laboratory judgement: present, its English note, and the note as codes and values."""


def _lab_judgement(labs: Sledai2kLabs | None, code: str) -> _Derived | None:
    """Judge one descriptor from raw results, with the value it came from (Gladman 2002)."""
    if labs is None:
        return None
    evidence = first_given(LAB_THRESHOLDS, code, labs)
    if evidence is not None:
        return evidence.present, evidence.note, evidence.reasons
    if code == "low_complement":
        return _low_complement(labs)
    if code == "increased_dna_binding" and labs.anti_dsdna is not None:
        dna = labs.anti_dsdna
        present = dna.value > dna.upper_limit_of_normal
        sign = ">" if present else "≤"
        reason = _limit_reason(
            "lab_upper_limit", "anti_dsdna", dna.value, dna.unit, sign, dna.upper_limit_of_normal
        )
        return (
            present,
            f"anti_dsdna {dna.value:g} {dna.unit} {sign} upper limit "
            f"{dna.upper_limit_of_normal:g} {dna.unit}",
            (reason,),
        )
    return None


def _limit_reason(
    code: str, item: str, value: float, unit: str, sign: str, limit: float, limit_unit: str = ""
) -> Reason:
    """A result against the testing laboratory's own limit, as values (``lab_lower_limit``,
    ``lab_upper_limit``)."""
    return Reason.trusted(
        code=code,
        values={
            "item": item,
            "value": value,
            "unit": unit,
            "sign": sign,
            "limit": limit,
            "limit_unit": limit_unit or unit,
        },
    )


def _low_complement(labs: Sledai2kLabs) -> _Derived | None:
    """Low complement is present when C3 or C4 is below the lab's lower limit (Gladman 2002)."""
    levels = {"c3": labs.c3, "c4": labs.c4}
    notes = []
    reasons = []
    low = False
    for name, level in levels.items():
        if level is None:
            continue
        below = level.value.canonical < level.lower_limit_of_normal.canonical
        low = low or below
        sign = "<" if below else "≥"
        notes.append(f"{name} {level.value} {sign} lower limit {level.lower_limit_of_normal}")
        floor = level.lower_limit_of_normal
        reasons.append(
            _limit_reason(
                "lab_lower_limit",
                name,
                level.value.value,
                level.value.unit,
                sign,
                floor.value,
                floor.unit,
            )
        )
    if low:
        return True, "; ".join(notes), tuple(reasons)
    # Normal complement needs both components: a normal C3 says nothing about C4.
    if all(level is not None for level in levels.values()):
        return False, "; ".join(notes), tuple(reasons)
    return None


def _lab_judgements(labs: Sledai2kLabs) -> dict[str, _Derived]:
    """Every descriptor the results speak to, judged in one pass over the table (issue 19):
    `_lab_judgement` of each code, without asking the table once per descriptor."""
    judged: dict[str, _Derived] = {}
    for threshold in LAB_THRESHOLDS:
        code = threshold.code
        if code in judged:  # the first measurement given decides, as `first_given`
            continue
        measured = getattr(labs, threshold.measurement)
        if isinstance(measured, Quantity | int | float):
            evidence = threshold.judge(measured)
            judged[code] = evidence.present, evidence.note, evidence.reasons
    for code in _OWN_LIMIT_CODES:
        derived = _lab_judgement(labs, code)
        if derived is not None:
            judged[code] = derived
    return judged


_OWN_LIMIT_CODES = ("low_complement", "increased_dna_binding")
"""Judged against the testing laboratory's own limits, not a table threshold."""


@functools.cache
def _as_entered(code: str, entered: bool | None) -> DescriptorFinding:
    """A descriptor no laboratory result speaks to: one of three findings (present, absent,
    not assessed), built once and shared, as results are immutable (issue 19)."""
    return share(_judged(DESCRIPTOR_BY_CODE[code], entered, None))


def _judged(
    descriptor: Descriptor, entered: bool | None, derived: _Derived | None
) -> DescriptorFinding:
    basis: Basis
    discrepancy = None
    derived_from = None
    reasons: tuple[Reason, ...] = () if derived is None else derived[2]
    if entered is not None:
        value: bool | None = entered
        basis = "entered"
        if derived is not None:
            derived_from = derived[1]
            if derived[0] != entered:
                discrepancy = (
                    f"{descriptor.name} entered as {'present' if entered else 'absent'}, but "
                    f"the laboratory result says {'present' if derived[0] else 'absent'} "
                    f"({derived[1]}); the entered value counts."
                )
    elif derived is not None:
        value, derived_from = derived[0], derived[1]
        basis = "derived"
    else:
        value = None
        basis = "not assessed"
    return DescriptorFinding.trusted(
        code=descriptor.code,
        name=descriptor.name,
        weight=descriptor.weight,
        organ_system=descriptor.organ_system,
        status=Status.of(value),
        basis=basis,
        derived_from=derived_from,
        discrepancy=discrepancy,
        reasons=reasons,
    )


def score_sledai2k(inp: Sledai2kInput) -> Sledai2kResult:
    """Score the SLEDAI-2K from descriptor judgements and raw results (Gladman 2002)."""
    entries = _ENTRIES(inp)
    if inp.labs is None:
        # Entries alone decide: the findings and their sums, shared by every equal set of entries.
        tally = _tally_entered(entries)
    else:
        judged = _lab_judgements(inp.labs)
        tally = _tally(
            tuple(
                _as_entered(code, entered)
                if (lab := judged.get(code)) is None
                else _judged(descriptor, entered, lab)
                for descriptor, code, entered in zip(DESCRIPTORS, _CODES, entries, strict=True)
            )
        )
    findings, present, missing, derived, discrepancies, sums = tally
    total, clinical_total, unknown, clinical_unknown = sums
    return Sledai2kResult.trusted(
        date=inp.date,
        lookback_days=inp.lookback_days,
        lookback_source=LOOKBACK_DAYS[inp.lookback_days],
        total=total,
        clinical_total=clinical_total,
        maximum_possible=total + unknown,
        clinical_maximum_possible=clinical_total + clinical_unknown,
        complete=not missing,
        present=list(present),
        missing=list(missing),
        derived=list(derived),
        discrepancies=list(discrepancies),
        findings=list(findings),
    )


_CODES = tuple(d.code for d in DESCRIPTORS)
_ENTRIES = operator.attrgetter(*_CODES)
"""The 24 entries of an input in `DESCRIPTORS`' order, as one tuple (one C call)."""

_Tally = tuple[
    tuple[DescriptorFinding, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[int, int, int, int],
]
"""Findings; present, missing, derived codes; discrepancies; total, clinical total, and the
weights not assessed with and without serology."""


def _tally(findings: tuple[DescriptorFinding, ...]) -> _Tally:
    """Every sum and list in one pass over the findings (issue 19), in the findings' order."""
    total = clinical_total = unknown = clinical_unknown = 0
    present: list[str] = []
    missing: list[str] = []
    met, not_assessed = MET, UNKNOWN
    for finding in findings:
        status = finding.status
        if status is met:
            present.append(finding.code)
            total += finding.weight
            if finding.code not in _SEROLOGY:
                clinical_total += finding.weight
        elif status is not_assessed:
            missing.append(finding.code)
            unknown += finding.weight
            if finding.code not in _SEROLOGY:
                clinical_unknown += finding.weight
    return (
        findings,
        tuple(present),
        tuple(missing),
        tuple(f.code for f in findings if f.basis == "derived"),
        tuple(f.discrepancy for f in findings if f.discrepancy),
        (total, clinical_total, unknown, clinical_unknown),
    )


@functools.lru_cache(maxsize=4096)
def _tally_entered(entries: tuple[bool | None, ...]) -> _Tally:
    """The tally of an input without laboratory results: its entries decide everything, and
    most records repeat a few patterns (mostly absent), so it is computed once per pattern and
    shared (results are immutable; the result's lists are copies), issue 19."""
    return _tally(tuple(_as_entered(c, e) for c, e in zip(_CODES, entries, strict=True)))


_SEROLOGY = frozenset(d.code for d in DESCRIPTORS if d.serology)
"""The two serology descriptors, left out of the clinical SLEDAI-2K."""
