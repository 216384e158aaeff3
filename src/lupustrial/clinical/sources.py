"""The published sources every clinical rule cites: one place, one spelling."""

from __future__ import annotations

GLADMAN_2002 = (
    "Gladman DD, Ibañez D, Urowitz MB. Systemic lupus erythematosus disease activity "
    "index 2000. J Rheumatol. 2002;29(2):288-291."
)
TOUMA_2010 = (
    "Touma Z, Urowitz MB, Gladman DD. SLEDAI-2K for a 30-day window. Lupus. 2010;19(1):49-51."
)
ARINGER_2019 = (
    "Aringer M, Costenbader K, Daikh D, et al. 2019 European League Against "
    "Rheumatism/American College of Rheumatology classification criteria for systemic "
    "lupus erythematosus. Arthritis Rheumatol. 2019;71(9):1400-1412."
)
TAN_1982 = (
    "Tan EM, Cohen AS, Fries JF, et al. The 1982 revised criteria for the classification "
    "of systemic lupus erythematosus. Arthritis Rheum. 1982;25(11):1271-1277."
)
HOCHBERG_1997 = (
    "Hochberg MC. Updating the American College of Rheumatology revised criteria for the "
    "classification of systemic lupus erythematosus. Arthritis Rheum. 1997;40(9):1725."
)
PETRI_2012 = (
    "Petri M, Orbai AM, Alarcón GS, et al. Derivation and validation of the Systemic Lupus "
    "International Collaborating Clinics classification criteria for systemic lupus "
    "erythematosus. Arthritis Rheum. 2012;64(8):2677-2686."
)
PETRI_2005 = (
    "Petri M, Kim MY, Kalunian KC, et al. Combined oral contraceptives in women with "
    "systemic lupus erythematosus (SELENA trial). N Engl J Med. 2005;353(24):2550-2558 "
    "(physician global assessment, 0-3 visual analogue scale)."
)
FRANKLYN_2016 = (
    "Franklyn K, Lau CS, Navarra SV, et al. Definition and initial validation of a Lupus "
    "Low Disease Activity State (LLDAS). Ann Rheum Dis. 2016;75(9):1615-1621."
)
VAN_VOLLENHOVEN_2021 = (
    "van Vollenhoven RF, Bertsias G, Doria A, et al. 2021 DORIS definition of remission "
    "in SLE: final recommendations from an international task force. Lupus Sci Med. "
    "2021;8(1):e000538."
)
BNF_CORTICOSTEROIDS = (
    "Joint Formulary Committee. British National Formulary: Glucocorticoid therapy, "
    "equivalent anti-inflammatory doses of corticosteroids (prednisolone 5 mg = "
    "betamethasone 750 micrograms = cortisone acetate 25 mg = deflazacort 6 mg = "
    "dexamethasone 750 micrograms = hydrocortisone 20 mg = methylprednisolone 4 mg = "
    "triamcinolone 4 mg)."
)
LIU_2013 = (
    "Liu D, Ahmet A, Ward L, et al. A practical guide to the monitoring and management of "
    "the complications of systemic corticosteroid therapy. Allergy Asthma Clin Immunol. "
    "2013;9(1):30 (Table 1: betamethasone 0.6 mg = prednisone 5 mg)."
)
CDISC_SDTMIG_34_CMDOSTOT = (
    "CDISC. Study Data Tabulation Model Implementation Guide: Human Clinical Trials v3.4. "
    "2021 (CM domain, CMDOSTOT: total daily dose, the dose over one day)."
)
WHO_DDD_2024 = (
    "WHO Collaborating Centre for Drug Statistics Methodology. Guidelines for ATC "
    "classification and DDD assignment 2024. Oslo, 2023 (DDDs of drugs given at intervals "
    "longer than a day: the dose divided by the dosing interval)."
)
