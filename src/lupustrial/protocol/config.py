"""The study's configuration: every window, limit and list the criteria read, declared once.

Each default is the registration's number where it states one, and a documented choice where
it does not (the screening window, the drug, vaccine and disease lists). `lupustrial protocol
show` prints this object with the criteria, so a coordinator sees exactly what is in force.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from lupustrial.clinical.doris import DORIS_PUBLISHED, DorisThresholds
from lupustrial.clinical.glucocorticoids import BetamethasoneSource
from lupustrial.clinical.lldas import LLDAS_PUBLISHED, LldasThresholds
from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.sources import FRANKLYN_2016, VAN_VOLLENHOVEN_2021
from lupustrial.protocol.consent import CONSENT_FORMS, ConsentFormVersion
from lupustrial.protocol.deviations import DeviationRules
from lupustrial.protocol.laboratory_codes import LABORATORY_CODES, LaboratoryCode
from lupustrial.protocol.monitoring import MonitoringPlan
from lupustrial.protocol.periodic import PeriodicReportRule, Registration
from lupustrial.protocol.safety.config import SafetyConfig
from lupustrial.protocol.terms import Term as Term  # re-exported: callers read it here
from lupustrial.protocol.terms import find_term as find_term

IMMUNOSUPPRESSANTS_AND_IMMUNOMODULATORS: tuple[Term, ...] = (
    Term(name="mycophenolate", synonyms=("mycophenolic acid", "MMF", "CellCept")),
    Term(name="azathioprine", synonyms=("Imuran", "AZA")),
    Term(name="tacrolimus", synonyms=("Prograf",)),
    Term(name="ciclosporin", synonyms=("cyclosporine", "cyclosporin", "Neoral")),
    Term(name="cyclophosphamide", synonyms=("Endoxan", "IVCY")),
    Term(name="methotrexate", synonyms=("MTX",)),
    Term(name="mizoribine", synonyms=("Bredinin",)),
    Term(name="leflunomide", synonyms=("Arava",)),
    Term(name="voclosporin", synonyms=("Lupkynis",)),
    Term(name="belimumab", synonyms=("Benlysta",)),
    Term(name="rituximab", synonyms=("Rituxan", "MabThera")),
    Term(name="anifrolumab", synonyms=("Saphnelo",)),
    Term(name="hydroxychloroquine", synonyms=("HCQ", "Plaquenil")),
    Term(name="chloroquine"),
    Term(name="obinutuzumab", synonyms=("Gazyva",)),
    Term(name="intravenous immunoglobulin", synonyms=("IVIG", "immunoglobulin")),
)
"""Systemic drugs that break I2, by default: the issue's list plus the other antimalarial,
the anti-CD20 obinutuzumab and IVIG, which are used for SLE as immunomodulators."""

LIVE_VACCINES: tuple[Term, ...] = (
    Term(name="measles mumps rubella", synonyms=("MMR", "measles", "mumps", "rubella")),
    Term(name="measles rubella", synonyms=("MR",)),
    Term(name="varicella", synonyms=("Varivax", "varicella zoster live")),
    Term(name="zoster live", synonyms=("Zostavax", "live zoster")),
    Term(name="yellow fever", synonyms=("Stamaril", "YF")),
    Term(name="BCG", synonyms=("bacille Calmette-Guérin", "tuberculosis vaccine")),
    Term(name="oral polio", synonyms=("OPV", "Sabin")),
    Term(name="rotavirus", synonyms=("Rotarix", "RotaTeq")),
    Term(name="oral typhoid", synonyms=("Ty21a", "Vivotif")),
    Term(name="live attenuated influenza", synonyms=("LAIV", "FluMist", "Fluenz")),
    Term(name="dengue", synonyms=("Dengvaxia", "Qdenga")),
    Term(name="chikungunya live", synonyms=("Ixchiq",)),
    Term(name="smallpox", synonyms=("ACAM2000", "vaccinia")),
    Term(name="cholera oral live", synonyms=("Vaxchora",)),
)
"""Live attenuated vaccines (CDC General Best Practice Guidelines for Immunization, 2023)."""

NON_LIVE_VACCINES: tuple[Term, ...] = (
    Term(name="inactivated influenza", synonyms=("influenza", "flu")),
    Term(name="COVID-19 mRNA", synonyms=("COVID-19", "Comirnaty", "Spikevax")),
    Term(name="pneumococcal", synonyms=("PCV13", "PCV15", "PCV20", "PPSV23", "Prevnar")),
    Term(name="recombinant zoster", synonyms=("Shingrix", "RZV")),
    Term(name="hepatitis B", synonyms=("HBV vaccine", "Engerix-B", "Heplisav")),
    Term(name="hepatitis A", synonyms=("Havrix",)),
    Term(name="HPV", synonyms=("Gardasil", "Cervarix", "human papillomavirus")),
    Term(name="tetanus diphtheria pertussis", synonyms=("Tdap", "Td", "DTaP", "tetanus")),
    Term(name="inactivated polio", synonyms=("IPV",)),
    Term(name="meningococcal", synonyms=("MenACWY", "MenB")),
    Term(name="RSV", synonyms=("Arexvy", "Abrysvo")),
)
"""Vaccines known not to be live, so that a vaccination that is neither list stays unknown
(never silently treated as safe)."""

EXCLUDING_COLLAGEN_DISEASES: tuple[Term, ...] = (
    Term(name="rheumatoid arthritis", synonyms=("RA",)),
    Term(name="systemic sclerosis", synonyms=("scleroderma", "SSc")),
    Term(name="polymyositis"),
    Term(name="dermatomyositis"),
    Term(name="mixed connective tissue disease", synonyms=("MCTD",)),
    Term(name="polyarteritis nodosa", synonyms=("PAN",)),
    Term(name="ANCA-associated vasculitis", synonyms=("GPA", "MPA", "EGPA")),
    Term(name="adult-onset Still's disease", synonyms=("AOSD",)),
    Term(name="rheumatic fever"),
)
"""The classical collagen diseases (Klemperer's group and its successors) that exclude."""

ALLOWED_COLLAGEN_DISEASES: tuple[Term, ...] = (
    Term(name="Sjögren's syndrome", synonyms=("Sjogren's syndrome", "Sjogren", "Sjögren")),
    Term(name="antiphospholipid syndrome", synonyms=("APS", "antiphospholipid antibody")),
)
"""The registration's own exceptions to E11."""


class ProtocolConfig(StrictModel):
    """Every number and list the eligibility criteria read, with the registration's defaults."""

    study_title: str = (
        "Exploratory study for the usefulness of early introduction of anifrolumab in the "
        "first remission induction therapy for systemic lupus erythematosus"
    )
    target_recruitment: int = Field(default=10, ge=1)
    minimum_age_years: int = Field(default=18, description="I4: age ≥ this on the consent day.")
    age_limit_years: int = Field(default=80, description="I4: age < this on the consent day.")
    months_since_diagnosis: int = Field(
        default=6, ge=1, description="I2: first dose within this many calendar months of diagnosis."
    )
    minimum_sledai2k: int = Field(default=4, description="I3: screening SLEDAI-2K ≥ this.")
    screening_window_days: int = Field(
        default=28,
        ge=0,
        description="I3: the screening SLEDAI-2K is dated at most this many days before the "
        "first dose (a protocol choice: the registration states no window).",
    )
    maximum_initial_prednisolone_mg_per_kg: float = Field(
        default=0.6,
        gt=0,
        description="E1: a higher initial dose excludes; exactly this is allowed.",
    )
    betamethasone: BetamethasoneSource = Field(
        default=BetamethasoneSource.BNF,
        description="E1: betamethasone's equivalence, BNF (0.75 mg = 5 mg prednisolone) or "
        "Liu 2013 (0.6 mg).",
    )
    liver_enzyme_limit_u_per_l: float = Field(
        default=100.0, description="E4: AST or ALT at or above this excludes."
    )
    creatinine_limit_mg_per_dl: float = Field(
        default=2.0, description="E5: serum creatinine at or above this excludes."
    )
    malignancy_recurrence_free_years: int = Field(
        default=5, description="E7: a past malignancy without recurrence for more than this."
    )
    cervical_in_situ_recurrence_free_years: int = Field(
        default=3,
        description="E7: a locally treated cervical carcinoma in situ, for more than this.",
    )
    live_vaccine_window_days: int = Field(
        default=30, description="E12: a live vaccine this many days or fewer before the first dose."
    )
    pregnancy_test_window_days: int = Field(
        default=14,
        ge=0,
        description="E9: a negative pregnancy test counts if taken at most this many days "
        "before the first dose (a protocol choice).",
    )
    immunosuppressants: tuple[Term, ...] = IMMUNOSUPPRESSANTS_AND_IMMUNOMODULATORS
    live_vaccines: tuple[Term, ...] = LIVE_VACCINES
    non_live_vaccines: tuple[Term, ...] = NON_LIVE_VACCINES
    excluding_collagen_diseases: tuple[Term, ...] = EXCLUDING_COLLAGEN_DISEASES
    allowed_collagen_diseases: tuple[Term, ...] = ALLOWED_COLLAGEN_DISEASES
    visit_window_days: int = Field(
        default=7,
        ge=0,
        description="Visits W0-W12: in window within this many days of the planned day, either "
        "side (a protocol choice: the registration states none; protocol.schedule).",
    )
    lldas: LldasThresholds = Field(
        default=LLDAS_PUBLISHED,
        description="Primary endpoint: LLDAS's limits (published: Franklyn 2016).",
    )
    doris: DorisThresholds = Field(
        default=DORIS_PUBLISHED,
        description="Secondary endpoint: DORIS remission's limits (van Vollenhoven 2021).",
    )
    prednisolone_target_mg_per_day: float = Field(
        default=LLDAS_PUBLISHED.prednisolone_max_mg_per_day,
        ge=0,
        description="Secondary endpoint: patients at or below this prednisolone-equivalent "
        "mg/day at each visit (the LLDAS ceiling, Franklyn 2016).",
    )
    safety: SafetyConfig = Field(
        default_factory=SafetyConfig,
        description="Seriousness, causality, expectedness, reporting table (docs/safety.md).",
    )
    consent_forms: tuple[ConsentFormVersion, ...] = Field(
        default=CONSENT_FORMS,
        min_length=1,
        description="The consent form versions approved, oldest first: the last is in force.",
    )
    deviations: DeviationRules = Field(
        default_factory=DeviationRules,
        description="Deviation categories and prohibited medications (docs/deviations.md).",
    )
    laboratory_codes: tuple[LaboratoryCode, ...] = Field(
        default=LABORATORY_CODES,
        description="The LOINC (and, where confirmed, JLAC10) code of each measured item of "
        "the visit forms, with its source (`protocol.laboratory_codes`).",
    )
    registration: Registration = Field(
        default_factory=Registration,
        description="The jRCT number and publication date (the periodic report's anchor).",
    )
    monitoring: MonitoringPlan = Field(
        default_factory=MonitoringPlan,
        description="What is verified, how often sites are visited, query ageing bands.",
    )
    periodic_report: PeriodicReportRule = Field(
        default_factory=PeriodicReportRule,
        description="Periods and deadline of the periodic report (docs/periodic-report.md).",
    )

    @model_validator(mode="after")
    def _consent_versions_unique(self) -> Self:
        numbers = [form.number for form in self.consent_forms]
        if len(set(numbers)) != len(numbers):
            raise ValueError("consent_forms: each version number is declared once")
        return self


class NonPublished(StrictModel):
    """An endpoint threshold the protocol sets away from its published value."""

    name: str
    value: float | bool
    published: float | bool
    source: str


def non_published_thresholds(config: ProtocolConfig) -> list[NonPublished]:
    """Every endpoint threshold of ``config`` that differs from the published definition."""
    published_target = LLDAS_PUBLISHED.prednisolone_max_mg_per_day
    pairs: list[tuple[str, float | bool, float | bool, str]] = [
        *(
            (f"lldas.{name}", getattr(config.lldas, name), value, FRANKLYN_2016)
            for name, value in LLDAS_PUBLISHED.model_dump().items()
        ),
        *(
            (f"doris.{name}", getattr(config.doris, name), value, VAN_VOLLENHOVEN_2021)
            for name, value in DORIS_PUBLISHED.model_dump().items()
        ),
        (
            "prednisolone_target_mg_per_day",
            config.prednisolone_target_mg_per_day,
            published_target,
            FRANKLYN_2016,
        ),
    ]
    return [
        NonPublished(name=name, value=value, published=published, source=source)
        for name, value, published, source in pairs
        if value != published
    ]


DEFAULT_PROTOCOL = ProtocolConfig()
