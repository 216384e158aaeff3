"""Every change to the deviation log, checked and written to the audit trail in one place.

Site staff and monitors record deviations and decide on suggested ones (`Can.RECORD_DEVIATION`);
the investigator records the review-board report and closes a deviation
(`Can.CLOSE_DEVIATION`), as Enforcement Regulations Art. 15 puts both on the principal
investigator. Bad input raises `DeviationInputError` naming the field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import decode_value, encode_value, record, record_changes
from lupustrial.edc.deviations import finding_text
from lupustrial.edc.deviations.models import Deviation, SuggestionDecision, SuggestionStatus
from lupustrial.edc.deviations.suggestions import suggestions_for
from lupustrial.edc.study import services as study
from lupustrial.edc.study.characters import invalid_character
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.services import User, require, visible_subjects
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.deviations import Suggestion

FORM = "deviation"
EDITABLE = ("category", "occurred_on", "description", "serious", "corrective_action",
            "preventive_action", "reported_to_board_on")  # fmt: skip


class DeviationInputError(ValueError):
    """Input the deviation log refuses; ``field`` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def visible_deviations(user: User) -> QuerySet[Deviation]:
    """The deviations of the subjects the user sees."""
    return Deviation.objects.filter(subject__in=visible_subjects(user)).select_related(
        "subject__site", "recorded_by", "closed_by"
    )


def visible_decisions(user: User) -> QuerySet[SuggestionDecision]:
    """The decisions on suggested deviations of the subjects the user sees, latest first."""
    return (
        SuggestionDecision.objects.filter(subject__in=visible_subjects(user))
        .select_related("subject__site", "deviation", "decided_by")
        .order_by("-decided_at", "key")
    )


def open_deviation_count() -> Coalesce:
    """A subject's open deviations, as an annotation of subjects (`Subject.objects.annotate`)."""
    open_ones = Deviation.objects.filter(subject=OuterRef("pk"), closed_at__isnull=True)
    counted = open_ones.order_by().values("subject").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _text(field: str, value: str | None, *, required: bool) -> str:
    text = (value or "").strip()
    character = invalid_character(text)
    if character:  # NUL fails in PostgreSQL, the others in the XML exports (characters.py)
        raise DeviationInputError(
            field,
            _("This field holds a character that cannot be stored (%(character)s): remove it.")
            % {"character": character},
        )
    if required and not text:
        raise DeviationInputError(field, _("This field is required."))
    return text


def _validated(subject: Subject, values: dict[str, Any]) -> dict[str, Any]:
    """The deviation's values checked one by one; the first problem names its field."""
    try:
        DEFAULT_PROTOCOL.deviations.category(values.get("category") or "")
    except ValueError:
        raise DeviationInputError("category", _("Choose one of the declared categories.")) from None
    today = subject.site.today()
    occurred_on = values.get("occurred_on")
    if not isinstance(occurred_on, dt.date):
        raise DeviationInputError("occurred_on", _("Give the date it happened."))
    if occurred_on > today:
        raise DeviationInputError("occurred_on", _("The date is in the future at the site."))
    serious = values.get("serious")
    if not isinstance(serious, bool):
        raise DeviationInputError("serious", _("Say whether the deviation is serious."))
    reported = values.get("reported_to_board_on")
    if reported is not None:
        if not isinstance(reported, dt.date):
            raise DeviationInputError("reported_to_board_on", _("Give a date."))
        if reported > today:
            raise DeviationInputError(
                "reported_to_board_on", _("The date is in the future at the site.")
            )
        if reported < occurred_on:
            raise DeviationInputError(
                "reported_to_board_on", _("The report cannot precede the deviation.")
            )
    return {
        "category": values["category"],
        "occurred_on": occurred_on,
        "description": _text("description", values.get("description"), required=True),
        "serious": serious,
        "corrective_action": _text(
            "corrective_action", values.get("corrective_action"), required=False
        ),
        "preventive_action": _text(
            "preventive_action", values.get("preventive_action"), required=False
        ),
        "reported_to_board_on": reported,
    }


def _document(values: dict[str, Any]) -> dict[str, Any]:
    """The values as the trail stores them (dates as ISO text)."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in values.items()
    }


def _next_number(subject: Subject) -> str:
    count = Deviation.objects.filter(subject__site=subject.site).count()
    return f"DEV-{subject.site.code}-{count + 1:03d}"


def record_deviation(
    user: User,
    subject: Subject,
    *,
    category: str,
    occurred_on: dt.date | None,
    description: str,
    serious: bool | None,
    corrective_action: str = "",
    preventive_action: str = "",
    reported_to_board_on: dt.date | None = None,
    suggestion_key: str = "",
    at: dt.datetime | None = None,
) -> Deviation:
    """A new deviation in the log, numbered per site, audited (CREATE, form 'deviation').

    ``at``: a confirmation's one moment, for the deviation and the decision alike."""
    require(user, Can.RECORD_DEVIATION, subject)
    if reported_to_board_on is not None:
        require(user, Can.CLOSE_DEVIATION, subject)
    values = _validated(
        subject,
        {
            "category": category,
            "occurred_on": occurred_on,
            "description": description,
            "serious": serious,
            "corrective_action": corrective_action,
            "preventive_action": preventive_action,
            "reported_to_board_on": reported_to_board_on,
        },
    )
    at = at or imports.now()  # the row's time and its entry's are one (`trail._append`)
    try:
        with transaction.atomic():
            deviation = Deviation.objects.create(
                subject=subject,
                number=_next_number(subject),
                suggestion_key=suggestion_key,
                recorded_at=at,
                recorded_by=study.account(user),
                **values,
            )
            record(
                user,
                Action.CREATE,
                subject=subject,
                form=FORM,
                field=deviation.number,
                new=_document(values),
                at=at,
            )
    except IntegrityError:
        raise DeviationInputError(
            "number", _("Another deviation was recorded at the same moment: save again.")
        ) from None
    return deviation


def update_deviation(
    user: User, deviation: Deviation, version: int, reason: str, **changes: Any
) -> Deviation:
    """Change a recorded deviation: a reason is required, a newer version is not overwritten."""
    require(user, Can.RECORD_DEVIATION, deviation.subject)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DeviationInputError(sorted(unknown)[0], _("This field cannot be changed."))
    reason = _text("reason", reason, required=True)
    with transaction.atomic():
        current = Deviation.objects.select_for_update().get(pk=deviation.pk)
        if current.closed:
            raise DeviationInputError("closed", _("A closed deviation cannot be changed."))
        if current.version != version:
            raise DeviationInputError(
                "version", _("Someone changed this deviation since you opened it: reload.")
            )
        before = {name: getattr(current, name) for name in EDITABLE}
        values = _validated(current.subject, {**before, **changes})
        if values["reported_to_board_on"] != before["reported_to_board_on"]:
            require(user, Can.CLOSE_DEVIATION, current.subject)
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        record_changes(
            user,
            Action.UPDATE,
            {current.number: _document(before)},
            {current.number: _document(values)},
            subject=current.subject,
            form=FORM,
            reason=reason,
        )
    return current


def close_deviation(user: User, deviation: Deviation, version: int) -> Deviation:
    """Close a deviation: its corrective action is recorded, and a serious one was reported
    to the certified review board (Enforcement Regulations Art. 15)."""
    require(user, Can.CLOSE_DEVIATION, deviation.subject)
    with transaction.atomic():
        current = Deviation.objects.select_for_update().get(pk=deviation.pk)
        if current.closed:
            raise DeviationInputError("closed", _("This deviation is already closed."))
        if current.version != version:
            raise DeviationInputError(
                "version", _("Someone changed this deviation since you opened it: reload.")
            )
        if not current.corrective_action:
            raise DeviationInputError(
                "corrective_action", _("Record the corrective action before closing.")
            )
        if current.serious and current.reported_to_board_on is None:
            raise DeviationInputError(
                "reported_to_board_on",
                _("A serious deviation is reported to the review board before it is closed."),
            )
        current.closed_at = imports.now()
        current.closed_by = study.account(user)
        current.version += 1
        current.save(update_fields=["closed_at", "closed_by", "version"])
        record(
            user,
            Action.UPDATE,
            subject=current.subject,
            form=FORM,
            field=f"{current.number}.closed",
            new={"closed_at": current.closed_at.isoformat()},
            at=current.closed_at,  # the row's time and its entry's are one
        )
    return current


# -- suggested deviations ------------------------------------------------------------------------


def pending(user: User, subjects: Sequence[Subject] | None = None) -> list[Suggestion]:
    """Suggested deviations of the subjects the user sees that nobody has decided on yet.

    ``subjects``: those the user sees, as a page already read them (`study.SUBJECT_RECORD`).
    """
    decided = set(SuggestionDecision.objects.values_list("key", flat=True))
    found: list[Suggestion] = []
    if subjects is None:
        subjects = list(visible_subjects(user).prefetch_related(*study.SUBJECT_RECORD))
    for subject in subjects:
        found.extend(s for s in suggestions_for(subject) if s.key not in decided)
    return sorted(found, key=lambda s: (s.subject, s.key))


def _suggestion(user: User, key: str) -> tuple[Subject, Suggestion]:
    """The pending suggestion with this key, among the subjects the user sees."""
    if SuggestionDecision.objects.filter(key=key).exists():
        raise DeviationInputError("key", _("This suggestion has already been decided."))
    for subject in visible_subjects(user):
        for suggestion in suggestions_for(subject):
            if suggestion.key == key:
                return subject, suggestion
    raise DeviationInputError("key", _("No such suggestion (the data may have changed)."))


def confirm_suggestion(
    user: User,
    key: str,
    *,
    serious: bool | None,
    description: str = "",
    corrective_action: str = "",
    preventive_action: str = "",
) -> Deviation:
    """A suggested deviation confirmed: it enters the log with the rule's finding.

    Without a ``description``, the finding is worded in the active language, the reader's on a
    page (`finding_text`): the person signs off what they read, and it is stored as confirmed."""
    subject, suggestion = _suggestion(user, key)
    require(user, Can.RECORD_DEVIATION, subject)
    at = imports.now()  # one moment for the deviation and the decision (an import gives both)
    with transaction.atomic():
        deviation = record_deviation(
            user,
            subject,
            category=suggestion.category.value,
            occurred_on=suggestion.occurred_on or subject.site.today(),
            description=description.strip() or finding_text.finding(suggestion),
            serious=serious,
            corrective_action=corrective_action,
            preventive_action=preventive_action,
            suggestion_key=key,
            at=at,
        )
        _decide(user, subject, suggestion, SuggestionStatus.CONFIRMED, "", deviation, at)
    return deviation


def dismiss_suggestion(user: User, key: str, reason: str) -> SuggestionDecision:
    """A suggested deviation dismissed by a person, with the reason why it is none."""
    subject, suggestion = _suggestion(user, key)
    require(user, Can.RECORD_DEVIATION, subject)
    reason = _text("reason", reason, required=True)
    with transaction.atomic():
        return _decide(
            user, subject, suggestion, SuggestionStatus.DISMISSED, reason, None, imports.now()
        )


def plain_params(suggestion: Suggestion) -> dict[str, Any]:
    """The finding's values as JSON holds them, the same in the row and in its trail entry
    (`trail.encode_value`: dates as ISO text, pairs as lists)."""
    plain: dict[str, Any] = decode_value(encode_value(suggestion.params))
    return plain


def _decide(
    user: User,
    subject: Subject,
    suggestion: Suggestion,
    status: SuggestionStatus,
    reason: str,
    deviation: Deviation | None,
    at: dt.datetime,  # the row's time and its entry's are one (`trail._append`)
) -> SuggestionDecision:
    try:
        with transaction.atomic():
            decision = SuggestionDecision.objects.create(
                key=suggestion.key,
                subject=subject,
                status=status,
                reason=reason,
                description=suggestion.description,
                code=suggestion.code,
                params=plain_params(suggestion),
                deviation=deviation,
                decided_at=at,
                decided_by=study.account(user),
            )
    except IntegrityError:
        raise DeviationInputError("key", _("This suggestion has already been decided.")) from None
    record(
        user,
        Action.UPDATE,
        subject=subject,
        form="deviation_suggestion",
        field=suggestion.key,
        new={
            "decision": status.value,
            "finding": suggestion.description,
            "code": suggestion.code,
            "params": plain_params(suggestion),
            "deviation": deviation.number if deviation else None,
        },
        reason=reason,
        at=at,
    )
    return decision
