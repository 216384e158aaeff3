"""The regulations and references every safety rule cites: one place, one spelling."""

from __future__ import annotations

CLINICAL_TRIALS_ACT = "Clinical Trials Act (臨床研究法), Act No. 16 of 2017, Japan"
ENFORCEMENT_REGULATIONS = (
    "Enforcement Regulations of the Clinical Trials Act (臨床研究法施行規則), "
    "MHLW Ordinance No. 17 of 2018, Japan"
)
ART_54 = f"{ENFORCEMENT_REGULATIONS}, Art. 54 (疾病等報告, report to the certified review board)"
ART_54_1_I = f"{ART_54}, para. 1 item i"
ART_54_1_II_A = f"{ART_54}, para. 1 item ii (a)"
ART_54_1_II_B = f"{ART_54}, para. 1 item ii (b)"
ART_54_1_I_II = f"{ART_54}, para. 1 items i-ii (unapproved or off-label drugs)"
ART_54_1_IV = f"{ART_54}, para. 1 item iv (approved drugs within their label: 30 days)"
ACT_ART_13 = f"{CLINICAL_TRIALS_ACT}, Art. 13 (report of diseases to the certified review board)"
ACT_ART_14 = f"{CLINICAL_TRIALS_ACT}, Art. 14 (report of diseases to the Minister, through PMDA)"
ACT_ART_17 = f"{CLINICAL_TRIALS_ACT}, Art. 17 (periodic report to the certified review board)"
MHLW_NOTICE_2018 = (
    "MHLW Health Policy Bureau notice 医政発0228第10号 (28 February 2018), section (5) ①, "
    "'疾病等報告 (第54条関係)', as quoted by Osaka Medical College's review board "
    "(office.osaka-med.ac.jp/rco/rinsyou/02/houkokutyuuijikou/)"
)
NCGM_TABLE = (
    "National Center for Global Health and Medicine (NCGM), 疾病等報告の報告対象と期限 "
    "(ccs.ncgm.go.jp/110/clinical/start/disease_report/outline)"
)
PMDA_PAGE = (
    "PMDA, 臨床研究法に関する報告の制度について "
    "(pmda.go.jp/safety/reports/hcp/clinical-trial-act/0001.html)"
)
KUMAMOTO_TABLE = (
    "Kumamoto University Hospital, 疾病・不具合・不適合報告, table 1 "
    "(kuh.kumamoto-u.ac.jp/tokurin/rinsho_kenkyu/disease_report.html)"
)
OSAKA_UNIV_TABLE = (
    "Osaka University Hospital, 疾病等・不具合報告, table for drugs "
    "(med.osaka-u.ac.jp/pub/hp-crc/rinshokenkyu-hou/report04_2.html)"
)
ICH_E2A = (
    "ICH E2A, Clinical Safety Data Management: Definitions and Standards for Expedited "
    "Reporting (1994), section II.B"
)
WHO_UMC = (
    "WHO-UMC system for standardised case causality assessment (Uppsala Monitoring Centre, 2013)"
)
CTCAE_V5 = (
    "National Cancer Institute, Common Terminology Criteria for Adverse Events (CTCAE) v5.0, "
    "27 November 2017"
)
