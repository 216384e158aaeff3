"""Japanese throughout (issue 18): the words for an undecided eligibility, one way everywhere.

"incomplete" says two things in the code: a form with required items unanswered
(`protocol.completeness`), 未完了, and the whole eligibility decision while items are missing
(`protocol.eligibility.Outcome.INCOMPLETE`: no criterion fails, some cannot be decided yet),
判定保留, as the classification criteria's "undetermined". A criterion, an LLDAS/DORIS
component or a SLEDAI-2K item that the data entered cannot decide ("unknown") is 判定不能, as
the study report says of LLDAS. The casebook (`lupustrial casebook --language ja`) and the
deviation findings use the same filters and words as the pages.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext

from lupustrial.edc.deviations import finding_text
from lupustrial.edc.study import eligibility_text
from lupustrial.edc.study.templatetags import clinical_text
from lupustrial.protocol import deviations as rules
from lupustrial.protocol.eligibility import Outcome


def test_an_undecided_eligibility_is_pending_not_an_unfinished_form() -> None:
    with translation.override("ja"):
        assert eligibility_text.outcome_word(Outcome.INCOMPLETE) == "判定保留"
        assert clinical_text.outcome_word("incomplete") == "判定保留"
        assert gettext("incomplete") == "未完了"  # a form's status stays what it was
        assert gettext("undetermined") == "判定保留"  # the classification criteria's
    with translation.override("en"):
        assert eligibility_text.outcome_word(Outcome.INCOMPLETE) == "incomplete"


def test_a_criterion_the_data_cannot_decide_is_undecidable() -> None:
    with translation.override("ja"):
        assert eligibility_text.status_word("unknown") == "判定不能"
        assert clinical_text.status_word("met") == "満たす"
    with translation.override("en"):
        assert eligibility_text.status_word("unknown") == "unknown"


def test_the_deviation_finding_says_the_same() -> None:
    found = rules.enrolled_not_eligible("S", "incomplete", [], dt.date(2026, 3, 1))
    assert found is not None
    with translation.override("ja"):
        assert "判定保留" in finding_text.finding(found)
        assert "未完了" not in finding_text.finding(found)
