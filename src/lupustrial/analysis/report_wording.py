# ruff: noqa: E501  (the catalogue: one message a line, as the template writes it)
"""The study report in the reader's language: English (as the dataset speaks) or Japanese.

The report's template marks each English text with ``_()``; `JAPANESE` holds its Japanese,
and `translator` gives the template the one for the language asked, English unchanged. A
patient's reason at a visit is the dataset's English in English; in Japanese it is worded here
from the values it is made of (`SubjectResponse.facts`), never translated from the sentence.
The dataset files themselves stay English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from lupustrial.analysis.results import Category, SubjectResponse
from lupustrial.protocol.schedule import PRIMARY_ENDPOINT_VISIT, VISIT_BY_CODE

LANGUAGES = ("en", "ja")


def check_language(language: str) -> str:
    """``language`` if the report speaks it; a clear error otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: the report speaks {' or '.join(LANGUAGES)}")
    return language


def _date(day: dt.date | None) -> str:
    # The Japanese way of writing a date, as the web pages do (edc/formats/ja): 2026/12/06.
    return day.strftime("%Y/%m/%d") if day is not None else "—"


DEFINITIONS = {"lldas": "LLDAS", "doris": "DORIS寛解"}
"""The endpoint definitions by their dataset column, in Japanese."""

MISSING_INPUTS = {
    "pga": "PGA",
    "date": "評価日",
    "sledai2k": "SLEDAI-2K",
    "previous_sledai2k": "前回の SLEDAI-2K",
    "haemolytic_anaemia": "溶血性貧血",
    "gastrointestinal_activity": "消化管病変の活動性",
    "previous_haemolytic_anaemia": "前回の溶血性貧血",
    "previous_gastrointestinal_activity": "前回の消化管病変の活動性",
    "maintenance_therapy_standard_and_tolerated": "維持療法(標準用量・忍容性)",
    "maintenance_therapy_stable": "維持療法の安定性",
    "prednisolone_mg_per_day or glucocorticoids": "ステロイドの投与量",
}
"""The inputs an unknown LLDAS or DORIS still needs (`{column}_missing`), in Japanese."""


def _missing(names: list[str]) -> str:
    """The missing inputs in Japanese; SLEDAI-2K descriptors counted, not listed one by one."""
    words: list[str] = []
    descriptors = sum(1 for n in names if n.startswith("sledai2k."))
    previous = sum(1 for n in names if n.startswith("previous_sledai2k."))
    for name in names:
        if name.startswith(("sledai2k.", "previous_sledai2k.")):
            continue
        words.append(MISSING_INPUTS.get(name, name))
    if descriptors:
        words.append(f"SLEDAI-2K の未評価項目 {descriptors} 件")
    if previous:
        words.append(f"前回 SLEDAI-2K の未評価項目 {previous} 件")
    return "、".join(words)


def _values(facts: dict[str, Any]) -> str:
    """The visit's scores that the definition reads, as the dataset holds them."""
    parts = []
    if facts.get("sledai2k") is not None:
        parts.append(f"SLEDAI-2K {facts['sledai2k']}")
    if facts.get("pga") is not None:
        parts.append(f"PGA {facts['pga']:g}")
    if facts.get("prednisolone_mg_per_day") is not None:
        parts.append(f"プレドニゾロン換算 {facts['prednisolone_mg_per_day']:g} mg/日")
    return "、".join(parts)


def _assessed_ja(response: SubjectResponse) -> str:
    facts = response.facts
    visit, name = facts["visit"], DEFINITIONS.get(facts.get("definition", ""), "")
    when = f"{visit}({_date(facts.get('date'))})"
    if response.category is Category.OUT_OF_WINDOW:
        days = facts.get("days_from_planned")
        if days is None:
            return f"{visit} の許容期間が不明(初回投与日なし)"
        return f"{when}は許容期間外({days:+d} 日)"
    if response.category is Category.RESPONDER:
        return f"{when}に{name}を満たす"
    values = _values(facts)
    if response.category is Category.NOT_MET:
        return f"{when}に{name}を満たさない" + (f"({values})" if values else "")
    missing = _missing(list(facts.get("missing") or []))
    return f"{when}の{name}は判定できない(不足: {missing})。非奏効として扱う"


def _not_assessed_ja(facts: dict[str, Any]) -> str:
    visit, why = facts["visit"], facts.get("why")
    if why == "missed":
        return f"{visit} 未実施: {facts.get('missed_reason') or '—'}"
    if why == "withdrawn":
        return (
            f"{visit} より前に中止({_date(facts.get('withdrawal_date'))}): "
            f"{facts.get('withdrawal_reason') or '—'}"
        )
    if why == "window_unknown":
        return f"{visit} の評価なし(初回投与日がなく許容期間が不明)"
    end, cut, site = _date(facts.get("window_end")), _date(facts.get("cut")), facts.get("site")
    if why == "not_yet_due":
        return f"{visit} はまだ期限前: 許容期間は {end} まで、データカットは {cut}(施設 {site})"
    return f"{visit} の評価なし。許容期間は {end} に終了(データカット {cut}): 非奏効として扱う"


def reason(response: SubjectResponse, language: str) -> str:
    """Why a patient is a responder or not at the visit, in ``language``."""
    if language == "en" or not response.facts:
        return response.reason
    if "why" in response.facts:
        return _not_assessed_ja(response.facts)
    return _assessed_ja(response)


def verdict(response: SubjectResponse, language: str) -> str:
    """Responder, non-responder or ongoing, in ``language``."""
    if language == "en":
        return response.verdict
    return {"ongoing": "継続中", "responder": "奏効", "non-responder": "非奏効"}[response.verdict]


def translator(language: str) -> Callable[..., str]:
    """The template's ``_``: the text in ``language``, its ``%(name)s`` filled from keywords."""
    catalogue = JAPANESE if check_language(language) == "ja" else {}

    def gettext(message: str, **values: Any) -> str:
        text = catalogue.get(message, message)
        return text % values if values else text

    return gettext


def rule(text: str, language: str) -> str:
    """The primary endpoint's responder rule: the dataset's English, or worded in Japanese
    from the protocol's week-12 window (`protocol.schedule`)."""
    if language == "en":
        return text
    w12 = VISIT_BY_CODE[PRIMARY_ENDPOINT_VISIT]
    return (
        f"奏効 = W12 が許容期間内(初回投与から {w12.week * 7} ± {w12.window_days} 日; "
        "protocol.schedule)に評価され LLDAS を満たす。LLDAS を満たさない又は判定不能、W12 の許容期間外、"
        "中止、W12 の欠測(データカット前に許容期間が終了)は非奏効とする。データカット時点(施設の日付)で "
        "W12 の許容期間が終わっていない被験者は継続中とし、評価対象としない"
    )


JAPANESE: dict[str, str] = {
    # Where the snapshot's records came from (`dataset.sources`; unspecified when not said).
    "database": "データベース",
    "demo": "デモ",
    "unspecified": "指定なし",
    ". ": "。",
    ".": "。",
    "LLDAS at week 12": "W12 の LLDAS",
    "final": "最終",
    "interim": "中間",
    "full analysis set (enrolled, ≥ 1 anifrolumab infusion)": (
        "最大の解析対象集団(登録され、アニフロルマブを 1 回以上投与)"
    ),
    "per protocol": "研究計画書適合集団",
    "observed cases": "観察例",
    "clopper-pearson": "Clopper–Pearson 法",
    "wilson": "Wilson 法",
    "jeffreys": "Jeffreys 法",
    "female": "女性",
    "male": "男性",
    "≤ %(mg)s mg/day": "≤ %(mg)s mg/日",
    "Safety reports: %(reports)s (%(first)s first, %(follow_ups)s follow-up); expedited first reports %(expedited)s: submitted on time %(on_time)s, late %(late)s, not yet submitted %(not_submitted)s.": "疾病等報告: %(reports)s 件(第一報 %(first)s 件、続報 %(follow_ups)s 件)。期限のある第一報 %(expedited)s 件: 期限内に提出 %(on_time)s 件、期限後 %(late)s 件、未提出 %(not_submitted)s 件。",
    "Data cut": "データカット",
    "site dates": "施設の日付",
    "source": "データ元",
    "Report created %(at)s.": "報告書作成 %(at)s。",
    "Study flow (CONSORT)": "試験の流れ(CONSORT)",
    "Screened: %(n)s": "スクリーニング: %(n)s 名",
    "Screen failures: %(n)s": "スクリーニング脱落: %(n)s 名",
    "Enrolled: %(n)s": "登録: %(n)s 名",
    "Dosed (full analysis set): %(n)s": "投与(最大の解析対象集団): %(n)s 名",
    "Withdrawn: %(n)s": "中止: %(n)s 名",
    "Completed W12: %(n)s": "W12 完了: %(n)s 名",
    "Ongoing (W12 not yet due at the data cut): %(n)s": "継続中(データカット時点で W12 未到来): %(n)s 名",
    "Baseline characteristics (W0, n = %(n)s)": "ベースライン特性(W0、n = %(n)s)",
    "variable": "項目",
    "median (IQR)": "中央値(四分位範囲)",
    "range": "範囲",
    "age (years)": "年齢(歳)",
    "body weight (kg)": "体重(kg)",
    "clinical SLEDAI-2K": "臨床 SLEDAI-2K",
    "PGA (0–3)": "PGA(0–3)",
    "prednisolone equivalent (mg/day)": "プレドニゾロン換算(mg/日)",
    "prednisolone equivalent (mg/kg/day)": "プレドニゾロン換算(mg/kg/日)",
    "C3 (g/L)": "C3(g/L)",
    "C4 (g/L)": "C4(g/L)",
    "anti-dsDNA": "抗 dsDNA 抗体",
    "sex": "性別",
    "Primary endpoint": "主要評価項目",
    "Evaluable: %(n)s of %(total)s; ongoing: %(ongoing)s.": "評価可能: %(total)s 名中 %(n)s 名。継続中: %(ongoing)s。",
    "No evaluable patient yet: no estimate.": "評価可能な被験者がまだいないため推定値なし。",
    "analysis": "解析",
    "responders": "奏効",
    "estimate": "推定値",
    "95% CI": "95% 信頼区間",
    "method": "方法",
    "main": "主解析",
    "patient": "被験者",
    "reason": "理由",
    "Secondary endpoints": "副次評価項目",
    "visit": "来院",
    "95% CI (exact)": "95% 信頼区間(正確法)",
    "%(n)s ongoing": "継続中 %(n)s 名",
    "Time to first LLDAS: %(events)s/%(n)s reached it; median study day %(median)s (Kaplan–Meier).": "初回 LLDAS 到達までの期間: %(n)s 名中 %(events)s 名が到達。中央値は試験日 %(median)s(Kaplan–Meier 法)。",
    "not reached": "未到達",
    "DORIS remission at W12: %(responders)s/%(n)s.": "W12 の DORIS寛解: %(responders)s/%(n)s。",
    "LLDAS swimmer plot": "LLDAS スイマープロット",
    "SLEDAI-2K per patient": "被験者ごとの SLEDAI-2K",
    "Prednisolone-equivalent taper": "プレドニゾロン換算量の減量",
    "median mg/day": "中央値 mg/日",
    "Adverse events (full analysis set, n = %(n)s)": "有害事象(最大の解析対象集団、n = %(n)s)",
    "term": "事象名",
    "CTCAE grade": "CTCAE グレード",
    "events": "件数",
    "patients": "被験者数",
    "Snapshot manifest": "スナップショットの目録",
    "table": "表",
    "rows": "行数",
}
"""The report's texts in Japanese, by their English in the template (``_("...")``)."""
