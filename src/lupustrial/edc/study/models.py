"""The study's records. Clinical values live as validated JSON, one document per form.

Each form document is exactly what its pydantic model (`crfs.py`, or the protocol layer's
`ScreeningRecord`) accepts, so the scores are always recomputed from what was entered, never
stored beside it. Every row that users edit carries a ``version``: a save names the version it
started from, and a save over a newer version is refused (see `services.py`).
Identifying data live in `Identity`, apart from the clinical tables, and are shown to site
roles only.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import AppendOnlyError


class SubjectStatus(models.TextChoices):
    SCREENING = "screening", _("screening")
    SCREEN_FAILED = "screen_failed", _("screen failure")
    ENROLLED = "enrolled", _("enrolled")
    WITHDRAWN = "withdrawn", _("withdrawn")
    COMPLETED = "completed", _("completed")


class Subject(models.Model):
    """A candidate from screening on; a subject ID is assigned at enrolment."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name=_("site"))
    screening_number = models.CharField(_("screening number"), max_length=20, unique=True)
    subject_id = models.CharField(
        _("subject ID"), max_length=20, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubjectStatus.choices, default=SubjectStatus.SCREENING
    )
    screening = models.JSONField(_("screening data"), null=True, blank=True)
    screening_version = models.PositiveIntegerField(default=0)
    screen_failure_reasons = models.JSONField(default=list, blank=True)
    screen_failure_note = models.TextField(blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)  # when the signature was given
    enrolment_date = models.DateField(_("enrolment date"), null=True, blank=True)
    first_infusion_date = models.DateField(_("first anifrolumab infusion"), null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    casebook_locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=imports.now)

    class Meta:
        ordering = ["screening_number"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the subject is named on pages and in the trail: subject ID once enrolled."""
        return self.subject_id or self.screening_number


class Identity(models.Model):
    """Name and medical record number, kept apart from the clinical data."""

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="identity")
    name = models.CharField(_("name"), max_length=200)
    medical_record_number = models.CharField(_("medical record number"), max_length=40)


class WithdrawalScope(models.TextChoices):
    FULL = "full", _("full: no further participation")
    NO_FURTHER_DATA = (
        "no_further_data",
        _("partial: no further data collection, safety follow-up allowed"),
    )


class Consent(models.Model):
    """One written informed consent: form version, date and time, who obtained it.

    A subject has one consent per form version: the first, then one for each revised version
    (re-consent). Who obtained it (a member of the site's staff) is recorded apart from who
    entered the record. Withdrawal, full or partial, is recorded on the latest consent.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="consents")
    form_version = models.CharField(_("consent form version"), max_length=40)
    language = models.CharField(_("language of the form"), max_length=5, blank=True)
    obtained_at = models.DateTimeField(_("date and time of consent"))
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("obtained by")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    recorded_at = models.DateTimeField(default=imports.now)
    withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    withdrawal_scope = models.CharField(
        _("withdrawal"), max_length=20, choices=WithdrawalScope.choices, blank=True
    )
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)

    class Meta:
        ordering = ["obtained_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "form_version"], name="one_consent_per_form_version"
            )
        ]


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50): who, when, meaning, and over which data.

    ``signed_digest`` is the SHA-256 of the data signed; when those data change, the
    signature is voided and the trail says so.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    signer_name = models.CharField(max_length=200)
    meaning = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    signed_digest = models.CharField(max_length=64)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    # Blank for a signature given here. An imported one (`lupustrial import odm`) was given
    # in the source system and cannot be given again without its signer: this names where the
    # file records it ("ODM Signature SG.112 of <file>"); signer, time and meaning are its.
    imported_from = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["signed_at"]

    @property
    def imported(self) -> bool:
        return bool(self.imported_from)


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    MISSED = "missed", _("missed")


class Visit(models.Model):
    """A scheduled (W0, W4, W8, W12) or unscheduled visit."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="visits")
    code = models.CharField(_("visit"), max_length=10)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    date = models.DateField(_("visit date"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default="planned")
    missed_reason = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["subject", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "code"], name="one_visit_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.subject.label} {self.code}"

    @property
    def scheduled(self) -> bool:
        return self.planned_date is not None

    def in_window(self) -> bool | None:
        if self.date is None or self.window_start is None or self.window_end is None:
            return None
        return self.window_start <= self.date <= self.window_end


class FormData(models.Model):
    """One eCRF of one visit: the validated document, its version, lock and verification.

    ``not_done_reason`` is set when the form was declared not done (labs not drawn, part of
    the visit not attended; `services.set_form_not_done`); such a form holds no values.
    """

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="forms")
    crf = models.CharField(max_length=30)
    data = models.JSONField()
    not_done_reason = models.TextField(_("reason not done"), blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=imports.now)  # set on every save (`save`)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    locked = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "crf"], name="one_form_per_crf")]

    @property
    def not_done(self) -> bool:
        return bool(self.not_done_reason)

    @property
    def entered(self) -> bool:
        """Whether the form holds values (a form declared not done, or declared so and then
        undone before any value was entered, holds none: it reads as not entered)."""
        return not self.not_done and bool(self.data)

    def stamp(self) -> None:
        """What auto_now did, but an import's original time when one is replayed (imports.py):
        on every save, and by a service that writes the row in SQL (`services.save_locked_form`)."""
        self.updated_at = imports.now()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.stamp()
        super().save(*args, **kwargs)


class QueryStatus(models.TextChoices):
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


class Query(models.Model):
    """A data query on a form field: raised, answered at the site, closed by its raiser's side."""

    form = models.ForeignKey(FormData, on_delete=models.PROTECT, related_name="queries")
    field = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=QueryStatus.choices, default="open")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=imports.now)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["raised_at"]


class AdverseEvent(models.Model):
    """One adverse event of one subject: its identity, its latest version, where it was first
    recorded.

    The identity is ``AE-NNN``, numbered per subject in the order recorded and never reused;
    two events with the same term and onset are two events. The clinical content is the
    protocol layer's `protocol.crfs.AdverseEvent` document (term, onset, end, CTCAE grade,
    seriousness, relatedness, outcome, action taken). Every version, the first included, is
    kept in `RecordVersion` (`versions.py`); this row holds the latest, as a form does.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="adverse_events")
    number = models.PositiveIntegerField(_("adverse event number"))
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_events",
        verbose_name=_("recorded at visit"),
    )
    data = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField(default=imports.now)
    updated_at = models.DateTimeField(default=imports.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Source-data verification of the latest version, as on a form (`adverse_events`).
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["subject", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "number"], name="one_adverse_event_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject.label} {self.label}"

    @property
    def label(self) -> str:
        """The event's identity within its subject, as pages, the trail and exports name it."""
        return adverse_event_label(self.number)


def adverse_event_label(number: int) -> str:
    return f"AE-{number:03d}"


class RecordKind(models.TextChoices):
    FORM = "form", _("eCRF")
    ADVERSE_EVENT = "adverse_event", _("adverse event")


class RecordVersionQuerySet(models.QuerySet["RecordVersion"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("record versions are append-only: update refused")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("record versions are append-only: delete refused")


class RecordVersion(models.Model):
    """One saved version of a versioned record (an eCRF, an adverse event), whole.

    Written by the services layer in the same transaction as the trail's entries for the same
    change (``audit_seq`` names the first of them), so a version exists exactly when its change
    was committed. Append-only, like the trail. Read through `versions.versions_of`.
    """

    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField()
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    # The first audit entry of the change; None when the save changed no value (the trail has
    # nothing to say) or for a version carried over by a data migration.
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True)
    migrated = models.BooleanField(default=False)

    objects = RecordVersionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "record_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "record_id", "number"], name="one_version_per_number"
            )
        ]
        indexes = [models.Index(fields=["subject", "kind"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("record versions are append-only: a version cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("record versions are append-only: a version cannot be deleted")
