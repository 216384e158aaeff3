"""The pre-screen's printed summary in English or Japanese (`lupustrial prescreen --language`).

The criteria's wordings in Japanese are the web application's (its catalogue,
`edc/locale/ja/LC_MESSAGES/django.mo`, where `edc.study.labels.CRITERIA` marks the
registration's wordings for translation), read with the standard library's `gettext`, so
that the command needs no Django and says each criterion as the eCRF does. The summary's own
words, the funnel's first steps and the parts of I2 are declared here, in both languages.
Progress lines and the coverage warnings stay in English.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Literal

from lupustrial.prescreen.outcome import wording

Language = Literal["en", "ja"]
LANGUAGES: tuple[Language, ...] = ("en", "ja")

_LOCALE = Path(__file__).resolve().parents[1] / "edc" / "locale"

TEXT: dict[str, dict[Language, str]] = {
    "title": {
        "en": "Pre-screen as of {as_of} on {engine}",
        "ja": "事前スクリーニング（基準日 {as_of}、{engine}）",
    },
    "scope": {
        "en": "Criteria: {scope} (like for like with OHDSI Circe; the others not judged)",
        "ja": "判定した基準: {scope}（OHDSI Circe と同じ範囲。その他の基準は判定していません）",
    },
    "funnel": {"en": "Funnel", "ja": "絞り込み"},
    "remaining": {"en": "remaining", "ja": "残り"},
    "fail_alone": {"en": "fail alone", "ja": "単独で不適"},
    "step": {"en": "step", "ja": "段階"},
    "candidates": {
        "en": "Candidates: {count} (showing {shown})",
        "ja": "候補者: {count} 人（{shown} 人を表示）",
    },
    "rank": {"en": "rank", "ja": "順位"},
    "check": {"en": "check", "ja": "確認事項"},
    "legend": {
        "en": "+ met  - not met  ? unknown from records (exclusions fail when met)",
        "ja": "+ 該当  - 非該当  ? 記録からは不明（除外基準は該当のとき不適格）",
    },
    "warnings": {
        "en": "Warnings ({count}): what this database cannot answer",
        "ja": "警告（{count} 件）: このデータベースでは判定できないこと",
    },
}
"""The summary's own words; ``{name}`` slots are filled with `str.format`."""

STEPS_JA: dict[str, str] = {
    "persons in the database": "データベース中の人数",
    "with an SLE record": "SLE の記録あり",
    "with an SLE record inside an observation period": "観察期間内に SLE の記録あり",
}
"""The funnel's first steps (`staging.cohort_counts`), in Japanese."""

PARTS_JA: dict[str, str] = {
    "alive": "基準日に生存している",
    "I2.recent": "I2 の一部: SLE の診断から6か月以内",
    "I2.untreated": "I2 の一部: 免疫抑制薬・免疫調節薬の全身投与歴がない",
}
"""Pre-screening's own criteria (not the registration's), in Japanese."""


@functools.cache
def _japanese() -> gettext.NullTranslations:
    return gettext.translation("django", localedir=str(_LOCALE), languages=["ja"])


LABEL_WIDTH: dict[Language, int] = {"en": 70, "ja": 36}
"""Characters of a funnel step printed (a Japanese character takes two columns)."""


def text(key: str, language: Language, **values: object) -> str:
    return TEXT[key][language].format(**values)


def criterion_wording(criterion: str, language: Language) -> str:
    """A criterion's wording (`outcome.wording`), in Japanese as the catalogue has it."""
    english = wording(criterion)
    if language == "en":
        return english
    return PARTS_JA.get(criterion) or _japanese().gettext(english)


def step_label(step: str, language: Language) -> str:
    """A funnel step (`outcome.funnel`: a first step, or "criterion: wording")."""
    if language == "en":
        return step
    if step in STEPS_JA:
        return STEPS_JA[step]
    criterion = step.partition(": ")[0]
    return f"{criterion}: {criterion_wording(criterion, language)}"
