"""Every change to study data goes through here: permission, protocol rule, audit, version.

Pages and the JSON API call these functions and nothing else, so that both check the same
permissions, enforce the same protocol and write the same audit trail. Each function takes
the acting user first, checks what the user may do at the subject's site, and raises
`NotAllowedError`, `ConflictError` or `RuleError` with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple, ParamSpec, TypeVar, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as Account
from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ValidationError

from lupustrial.clinical.assessment import AssessmentResult
from lupustrial.clinical.limits import soft_limit_findings
from lupustrial.edc import statements
from lupustrial.edc.accounts.models import Site, StaffProfile
from lupustrial.edc.accounts.roles import SITE_ROLES, Can
from lupustrial.edc.accounts.services import check_password
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.keys import current_key, keyring
from lupustrial.edc.audit.models import Action, AuditEntry
from lupustrial.edc.audit.trail import encode_value, record, record_changes
from lupustrial.edc.rows import Rows, build_side_by_side
from lupustrial.edc.study.by_version import ByVersion, forms_version
from lupustrial.edc.study.characters import first_invalid
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.identifiers import SCREENING_NUMBER, SUBJECT_ID
from lupustrial.edc.study.models import (
    Consent,
    FormData,
    Identity,
    Query,
    QueryStatus,
    Signature,
    Subject,
    SubjectStatus,
    Visit,
    VisitStatus,
    WithdrawalScope,
)
from lupustrial.edc.study.records import done_visits
from lupustrial.edc.study.versions import version_written
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.consent import due_to_consent_again, find_version, version_in_force
from lupustrial.protocol.crfs import Infusion, previous_assessment, score_visit
from lupustrial.protocol.eligibility import Outcome, ScreeningDecision, decide_eligibility
from lupustrial.protocol.schedule import SCHEDULE, VisitTiming, visit_timing
from lupustrial.protocol.screening import ScreeningRecord

User = AbstractBaseUser | AnonymousUser
P = ParamSpec("P")
R = TypeVar("R")

# Stored and signed as this one English statement (the record, its trail entry, the ODM
# Signature); the pages show it in the reader's language (gettext of it, marked here).
ENROLMENT_MEANING = gettext_noop("I confirm that this subject meets every eligibility criterion.")


class NotAllowedError(Exception):
    """The user may not do this, here."""


class SignatureRefusedError(NotAllowedError):
    """The password entered at signing did not match."""


class SigningBlockedError(NotAllowedError):
    """Too many wrong passwords at signing lately: no password is checked until it cools off."""


class ConflictError(Exception):
    """Someone saved the same data since this user opened it; nothing was overwritten."""


class RuleError(Exception):
    """The request breaks a rule of the protocol or of data entry."""


class DuplicateRecordError(RuleError):
    """The patient already has a record at this site; ``existing`` is that record."""

    def __init__(self, message: str, existing: Subject) -> None:
        super().__init__(message)
        self.existing = existing


class InvalidTextError(RuleError):
    """A value that cannot be stored as given (`characters.py`, a length); names its field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def checked(**values: Any) -> None:
    """Refuse the first value (text or form document) holding an invalid character."""
    for name, value in values.items():
        found = first_invalid(value, name if isinstance(value, str) else "")
        if found:
            field = found[0] or name
            raise InvalidTextError(
                field,
                _("%(field)s holds a character that cannot be stored (%(character)s): remove it.")
                % {"field": field, "character": found[1]},
            )


def profile_of(user: User) -> StaffProfile:
    profile: StaffProfile | None = getattr(user, "staff", None) if user.is_authenticated else None
    if profile is None:
        raise NotAllowedError(_("You have no role in this study."))
    return profile


def account(user: User) -> Account:
    """``user`` as the account model, for the columns that name who did something.

    Its callers have passed `require`, which refuses anyone without a staff profile (the
    anonymous user too): this refuses nobody, it shows mypy what `require` made sure of.
    """
    if not isinstance(user, Account):
        raise NotAllowedError(_("You have no role in this study."))
    return user


def require(user: User, capability: Can, subject: Subject | None = None) -> StaffProfile:
    """The user's profile, if the role grants ``capability`` at the subject's site."""
    profile = profile_of(user)
    if not profile.can(capability):
        raise NotAllowedError(
            _("Your role may not do this (%(what)s).") % {"what": capability.value}
        )
    at_site = subject is None or profile.all_sites
    # `subject is not None` follows from `not at_site`; said again for the checker.
    if not at_site and subject is not None and not profile.works_at(subject.site_id):
        raise NotAllowedError(_("This subject belongs to a site you do not work at."))
    return profile


def may(user: User, capability: Can, subject: Subject | None = None) -> bool:
    try:
        require(user, capability, subject)
    except NotAllowedError:
        return False
    return True


def visible_subjects(user: User) -> QuerySet[Subject]:
    profile = require(user, Can.VIEW_SUBJECTS)
    subjects = Subject.objects.select_related("site")
    return subjects if profile.all_sites else subjects.filter(site__in=profile.sites.all())


def visible_sites(user: User) -> QuerySet[Site]:
    return profile_of(user).visible_sites()


def _needs_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("A reason is required to change saved data."))
    return reason


def _editable(subject: Subject) -> None:
    if subject.casebook_locked:
        raise RuleError(_("The casebook of %(subject)s is locked.") % {"subject": subject.label})


# -- screening ----------------------------------------------------------------------------


@transaction.atomic
def register_candidate(
    user: User, site: Site, screening_number: str, name: str, medical_record_number: str
) -> Subject:
    """A new candidate at one of the user's sites, with identity kept apart."""
    profile = require(user, Can.SCREEN)
    if not profile.works_at(site.pk):
        raise NotAllowedError(_("You do not work at site %(site)s.") % {"site": site.code})
    checked(
        screening_number=screening_number, name=name, medical_record_number=medical_record_number
    )
    screening_number = screening_number.strip()
    if not SCREENING_NUMBER.fullmatch(screening_number):
        raise RuleError(
            _("A screening number is S- and three to six digits (S-001), not %(n)s.")
            % {"n": screening_number or "—"}
        )
    if Subject.objects.filter(screening_number=screening_number).exists():
        raise RuleError(_("Screening number %(n)s is taken.") % {"n": screening_number})
    medical_record_number = medical_record_number.strip()
    # One patient, one record per site: a second registration would split their data.
    same_patient = Identity.objects.filter(
        subject__site=site, medical_record_number=medical_record_number
    ).select_related("subject")
    if medical_record_number and (existing := same_patient.first()) is not None:
        raise DuplicateRecordError(
            _("Medical record number %(mrn)s is already registered at %(site)s as %(subject)s.")
            % {"mrn": medical_record_number, "site": site.code, "subject": existing.subject.label},
            existing.subject,
        )
    subject = Subject.objects.create(site=site, screening_number=screening_number)
    Identity.objects.create(
        subject=subject, name=name.strip(), medical_record_number=medical_record_number
    )
    record(
        user,
        Action.CREATE,
        subject=subject,
        form="registration",
        new={
            "site": site.code,
            "screening_number": screening_number,
            "identity": identity_seal(name.strip(), medical_record_number),
        },
    )
    return subject


def identity_seal(name: str, medical_record_number: str, key_id: str | None = None) -> str:
    """The name and record number as the trail keeps them: an HMAC under the audit key
    (``key id:mac``), so the trail shows a change of either without holding them (roles
    that read the trail may not see who the subject is)."""
    key = keyring()[key_id] if key_id else current_key()
    payload = json.dumps([name, medical_record_number], ensure_ascii=False).encode("utf-8")
    return f"{key.key_id}:{key.mac(payload)}"


def screening_record(subject: Subject) -> ScreeningRecord | None:
    if subject.screening is None:
        return None
    return ScreeningRecord.model_validate(subject.screening)


def eligibility(subject: Subject) -> ScreeningDecision | None:
    """The protocol layer's decision on the saved screening data (I1-I5, E1-E13).

    Decided once per content of its inputs and kept (`DECISIONS`, issue 19): the screening
    data as saved, the consent I5 reads and the protocol. The key is the data themselves, not
    `screening_version`: a save decides inside its transaction, and a rolled-back save would
    leave a decision under a version number the next save takes again.
    """
    return kept_eligibility(subject)[0]


EligibilityKey = tuple[str, tuple[tuple[str, str], ...] | None, "_Same"]


def kept_eligibility(
    subject: Subject,
) -> tuple[ScreeningDecision, EligibilityKey] | tuple[None, None]:
    """The decision (`eligibility`) and the key it is kept under, for what is made from it
    alone (the subject page's decision panel, per language)."""
    if subject.screening is None:
        return None, None
    consent = _consent_read_by_i5(subject)
    key: EligibilityKey = (json.dumps(subject.screening), consent, _Same(DEFAULT_PROTOCOL))
    return DECISIONS.get(key, lambda: _decide(subject, consent)), key


def _decide(subject: Subject, consent: tuple[tuple[str, str], ...] | None) -> ScreeningDecision:
    screening = screening_record(subject)
    assert screening is not None
    if consent is not None:  # the consent recorded in the app, over anything typed in
        screening = ScreeningRecord.model_validate(
            {**screening.model_dump(mode="json", exclude_none=True), "consent": dict(consent)}
        )
    return decide_eligibility(screening, DEFAULT_PROTOCOL)


def _consent_read_by_i5(subject: Subject) -> tuple[tuple[str, str], ...] | None:
    """What I5 reads of the first consent: its date at the site, form version and who."""
    consent = first_consent(subject)
    if consent is None:
        return None
    return (
        ("date", subject.site.date_of(consent.obtained_at).isoformat()),
        ("form_version", consent.form_version),
        ("obtained_by", consent.obtained_by.get_username()),
    )


class _Same:
    """A key part equal only to itself: the protocol object in force (tests replace it)."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


DECISIONS: ByVersion[ScreeningDecision] = ByVersion(1024)
"""Each subject's eligibility decision per content of what it reads (`eligibility`): one
live entry per screened subject, earlier contents least recently used out; a decision with its
evidence is tens of kilobytes, so the bound is that of the subject pages kept (`by_trail`)."""


@transaction.atomic
def save_screening(
    user: User, subject: Subject, data: Mapping[str, Any], version: int, reason: str = ""
) -> ScreeningDecision:
    """Save validated screening data; changing saved data needs a reason and voids signatures.

    Corrections after enrolment are allowed (a query may find a transcription error), but
    they void the investigator's signature, which must then be given again (`sign`).
    """
    require(user, Can.SCREEN, subject)
    checked(data=data, reason=reason)
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    _editable(subject)
    if subject.screening_version != version:
        raise ConflictError(
            _("The screening data changed since you opened them; reload to see the new values.")
        )
    document = {**data, "screening_id": subject.screening_number}
    try:
        validated = ScreeningRecord.model_validate(document).model_dump(
            mode="json", exclude_none=True
        )
    except ValidationError as error:
        raise RuleError(str(error)) from error
    before = subject.screening
    if before is not None:
        reason = _needs_reason(reason)
    at = imports.now()  # one moment for the change and the signatures it voids
    record_changes(
        user,
        Action.CREATE if before is None else Action.UPDATE,
        before,
        validated,
        subject=subject,
        form="screening",
        reason=reason,
        at=at,
    )
    subject.screening = validated
    subject.screening_version += 1
    subject.save(update_fields=["screening", "screening_version"])
    _void_changed_signatures(user, subject, at)
    decision = eligibility(subject)
    assert decision is not None
    return decision


@transaction.atomic
def record_screen_failure(user: User, subject: Subject, note: str = "") -> Subject:
    """A screen failure, keeping the failing criteria for the CONSORT diagram."""
    require(user, Can.SCREEN, subject)
    checked(note=note)
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    _editable(subject)
    decision = eligibility(subject)
    if decision is None or decision.outcome is not Outcome.INELIGIBLE:
        raise RuleError(_("Only a candidate the criteria exclude can be recorded as a failure."))
    subject.status = SubjectStatus.SCREEN_FAILED
    subject.screen_failure_reasons = decision.failed
    subject.screen_failure_note = note.strip()
    subject.save(update_fields=["status", "screen_failure_reasons", "screen_failure_note"])
    record(
        user,
        Action.UPDATE,
        subject=subject,
        form="screen_failure",
        field="status",
        old=SubjectStatus.SCREENING.value,
        new={"status": "screen_failed", "criteria": decision.failed, "note": note.strip()},
        reason=note.strip() or "screen failure",
    )
    return subject


# -- consent and enrolment ------------------------------------------------------------------


def _read_with(subject: Subject, relation: str) -> bool:
    """Whether a page read this relation with the subject (`SUBJECT_RECORD`), so it is not
    read again. Services that change data read their subject afresh, never from a page's."""
    return relation in getattr(subject, "_prefetched_objects_cache", {})


def _consent_rows() -> QuerySet[Consent]:
    return Consent.objects.select_related("obtained_by", "entered_by")


SUBJECT_RECORD = (
    "visits__forms",
    Prefetch("consents", queryset=_consent_rows()),
    "signatures",
)
"""What a page about subjects reads with them, one query each, for every helper below
(derived scores, eligibility, consents, signatures, overdue visits, suggested deviations):
``prefetch_related(*SUBJECT_RECORD)`` (issue 19)."""


def consents(subject: Subject) -> list[Consent]:
    """The subject's consents, first first (one per form version)."""
    if _read_with(subject, "consents"):
        return list(subject.consents.all())
    return list(_consent_rows().filter(subject=subject))


def first_consent(subject: Subject) -> Consent | None:
    """The consent the subject entered the study on: the one I5 reads and enrolment signs."""
    if _read_with(subject, "consents"):
        return next(iter(subject.consents.all()), None)
    return _consent_rows().filter(subject=subject).first()


def latest_consent(subject: Subject) -> Consent | None:
    """The consent on the most recent form version the subject signed."""
    if _read_with(subject, "consents"):
        return next(reversed(list(subject.consents.all())), None)
    return _consent_rows().filter(subject=subject).last()


def consent_staff(subject: Subject) -> QuerySet[Any]:
    """Who may have obtained a consent at the subject's site: its investigators and
    coordinators (the site roles), with an active account; in an import, the original staff,
    whose accounts are inactive (`audit.imports`)."""
    staff = get_user_model().objects.filter(
        staff__role__in=sorted(SITE_ROLES), staff__sites=subject.site
    )
    if imports.current_run() is None:
        staff = staff.filter(is_active=True)
    return staff.order_by("username")


@transaction.atomic
def record_consent(
    user: User,
    subject: Subject,
    form_version: str,
    obtained_at: dt.datetime,
    obtained_by: Any = None,
    language: str = "",
) -> Consent:
    """A written consent on a declared form version; enrolment is impossible without it (I5).

    The first consent, then one per revised version (re-consent on the version in force,
    ICH E6(R2) 4.8.2). ``obtained_by`` is the member of the site's staff who obtained it
    (the user entering it when not given); the user entering it is recorded apart.
    ``obtained_at`` without a time zone is read at the site: 09:00 at a Tokyo site is 09:00 JST.
    """
    require(user, Can.CONSENT, subject)
    checked(form_version=form_version, language=language)
    subject = Subject.objects.select_for_update().select_related("site").get(pk=subject.pk)
    _editable(subject)
    forms = DEFAULT_PROTOCOL.consent_forms
    number = (form_version or "").strip()
    if not number:
        raise RuleError(_("Consent form version: required."))
    declared = find_version(forms, number)
    if declared is None:
        raise RuleError(
            _("Consent form version: %(v)s is not declared (declared: %(known)s).")
            % {"v": number, "known": ", ".join(f.number for f in forms)}
        )
    language = (language or "").strip()
    if language and language not in declared.languages:
        raise RuleError(
            _("Language of the form: version %(v)s is printed in %(known)s.")
            % {"v": number, "known": ", ".join(declared.languages)}
        )
    obtained_by = obtained_by if obtained_by is not None else user
    if not consent_staff(subject).filter(pk=obtained_by.pk).exists():
        raise RuleError(
            _("Obtained by: %(who)s is not an investigator or coordinator of site %(site)s.")
            % {"who": obtained_by.get_username(), "site": subject.site.code}
        )
    if obtained_at.tzinfo is None:
        obtained_at = obtained_at.replace(tzinfo=subject.site.zone)  # as read at the site
    if obtained_at > timezone.now():
        raise RuleError(_("Date and time of consent: it cannot be in the future."))
    latest = latest_consent(subject)
    if latest is not None:
        if latest.withdrawn_on is not None:
            raise RuleError(_("Consent was withdrawn on %(on)s.") % {"on": latest.withdrawn_on})
        if latest.form_version == number:
            raise RuleError(
                _("Consent on version %(v)s is already recorded for %(s)s.")
                % {"v": number, "s": subject.label}
            )
        if number != version_in_force(forms).number:
            raise RuleError(
                _("Consent form version: consent again on the version in force (%(v)s).")
                % {"v": version_in_force(forms).number}
            )
        if obtained_at < latest.obtained_at:
            raise RuleError(
                _("Date and time of consent: before the previous consent (%(at)s).")
                % {"at": latest.obtained_at.astimezone(subject.site.zone).isoformat()}
            )
    consent = Consent.objects.create(
        subject=subject,
        form_version=number,
        language=language,
        obtained_at=obtained_at,
        obtained_by=obtained_by,
        entered_by=account(user),
    )
    record(
        user,
        Action.CREATE,
        subject=subject,
        form="consent",
        new={
            "form_version": consent.form_version,
            "obtained_at": obtained_at.isoformat(),
            "obtained_by": obtained_by.get_username(),
            "language": language,
            "re_consent": latest is not None,
        },
    )
    return consent


@transaction.atomic
def withdraw_consent(
    user: User, subject: Subject, on: dt.date | None, scope: str, note: str = ""
) -> Consent:
    """The subject withdraws consent, fully or partly (no further data collection, safety
    follow-up allowed). A full withdrawal of an enrolled subject ends their participation."""
    require(user, Can.CONSENT, subject)
    checked(note=note)
    subject = Subject.objects.select_for_update().select_related("site").get(pk=subject.pk)
    _editable(subject)
    consent = latest_consent(subject)
    if consent is None:
        raise RuleError(_("No consent is recorded for %(s)s.") % {"s": subject.label})
    if consent.withdrawn_on is not None:
        raise RuleError(_("Consent was withdrawn on %(on)s.") % {"on": consent.withdrawn_on})
    if scope not in WithdrawalScope.values:
        raise RuleError(_("Withdrawal: choose full or partial."))
    if on is None:
        raise RuleError(_("Date: required."))
    if on > subject.site.today():
        raise RuleError(_("Date: it cannot be in the future."))
    if on < subject.site.date_of(consent.obtained_at):
        raise RuleError(_("Date: before the consent was given."))
    consent.withdrawn_on, consent.withdrawal_scope = on, scope
    consent.withdrawal_note = (note or "").strip()
    consent.save(update_fields=["withdrawn_on", "withdrawal_scope", "withdrawal_note"])
    record(
        user,
        Action.UPDATE,
        subject=subject,
        form="consent",
        field="withdrawal",
        new={"on": on.isoformat(), "scope": scope, "version": consent.form_version},
        reason=consent.withdrawal_note,
    )
    if scope == WithdrawalScope.FULL and subject.status == SubjectStatus.ENROLLED:
        _end(user, subject, SubjectStatus.WITHDRAWN, on, _("consent withdrawn"))
    return consent


def consent_due_again(subject: Subject) -> bool:
    """Whether an active subject's latest consent is not on the version in force
    (ICH E6(R2) 4.8.2): shown until the new consent is recorded."""
    if subject.status != SubjectStatus.ENROLLED:
        return False
    latest = latest_consent(subject)
    if latest is None or latest.withdrawn_on is not None:
        return False
    return due_to_consent_again(latest.form_version, DEFAULT_PROTOCOL.consent_forms)


def due_to_consent_again_subjects(
    user: User, subjects: Sequence[Subject] | None = None
) -> list[Subject]:
    """The active subjects the user sees who must consent again on the version in force.

    ``subjects``: those the user sees, as a page already read them (`SUBJECT_RECORD`).
    """
    if subjects is None:
        enrolled = visible_subjects(user).filter(status=SubjectStatus.ENROLLED)
        subjects = list(enrolled.prefetch_related(Prefetch("consents", queryset=_consent_rows())))
    return [subject for subject in subjects if consent_due_again(subject)]


def signed_digest(subject: Subject) -> str:
    """SHA-256 of what an enrolment signature covers: the screening data and the (first)
    consent; a re-consent on a revised form signs nothing again."""
    consent = first_consent(subject)
    payload = {
        "screening": subject.screening,
        "consent": (
            {"form_version": consent.form_version, "obtained_at": consent.obtained_at.isoformat()}
            if consent
            else None
        ),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _void_changed_signatures(user: User, subject: Subject, at: dt.datetime) -> None:
    """Void the signatures whose data changed, at the change's moment ``at`` (an import
    replaying the change writes the void again at the change's original time)."""
    digest = signed_digest(subject)
    for signature in subject.signatures.filter(voided_at__isnull=True):
        if signature.signed_digest != digest:
            signature.voided_at = at
            signature.void_reason = "the signed data changed"
            signature.save(update_fields=["voided_at", "void_reason"])
            record(
                user,
                Action.SIGNATURE_VOID,
                subject=subject,
                form="enrolment",
                old=signature.meaning,
                reason="the signed data changed",
                at=at,
            )


def _sign(user: User, subject: Subject, password: str) -> dt.datetime:
    """Apply the investigator's signature to the eligibility data (21 CFR 11.50, 11.200).

    The password is entered again at signing; the signer's name, the time and the meaning are
    stored with a digest of the data signed. In an import, the signature the file records is
    kept as imported instead (`_imported_signature`): nobody signs.
    """
    replayed = imports.current_original()
    if replayed is not None and replayed.signature is not None:
        return _imported_signature(user, subject, replayed.signature)
    if not isinstance(user, Account):
        raise SignatureRefusedError(_("The password did not match: the signature was not applied."))
    if signing_blocked(user):
        raise SigningBlockedError(
            _(
                "Too many wrong passwords at signing: signing is blocked for %(minutes)s "
                "minutes. If this was not you, tell the administrator."
            )
            % {"minutes": _cooloff_minutes()}
        )
    if not check_password(user, password):  # a hash renewed here is recorded as at sign-in
        raise SignatureRefusedError(_("The password did not match: the signature was not applied."))
    entry = record(user, Action.SIGN, subject=subject, form="enrolment", new=ENROLMENT_MEANING)
    # Signed when the trail says: an export's Signature (the entry's time) gives it back.
    Signature.objects.create(
        subject=subject,
        signer=user,
        signer_name=user.get_full_name() or user.get_username(),
        meaning=ENROLMENT_MEANING,
        signed_at=entry.at,
        signed_digest=signed_digest(subject),
    )
    return entry.at


def _imported_signature(
    user: User, subject: Subject, given: imports.ImportedSignature
) -> dt.datetime:
    """The enrolment signature an imported file records, kept as imported, not re-signed.

    Its signer, time and meaning are the file's; the digest is of the data as replayed, which
    the signer saw (the file's changes before it). Marked with where the file records it, and
    the trail entry says so in its reason.
    """
    if not isinstance(user, Account) or user.get_username() != given.signer:
        raise RuleError(
            _("The imported signature is %(signer)s's, not this change's actor's.")
            % {"signer": given.signer}
        )
    if given.meaning != ENROLMENT_MEANING:
        raise RuleError(
            _("The imported signature's meaning is not the enrolment's: %(meaning)s")
            % {"meaning": given.meaning}
        )
    Signature.objects.create(
        subject=subject,
        signer=user,
        signer_name=user.get_full_name() or user.get_username(),
        meaning=given.meaning,
        signed_at=given.at,
        signed_digest=signed_digest(subject),
        imported_from=given.source[:200],
    )
    with imports.original(given.at, signature=given):  # its entry at the signature's time
        record(
            user,
            Action.SIGN,
            subject=subject,
            form="enrolment",
            new=ENROLMENT_MEANING,
            reason=f"imported signature, not signed again: given by {given.signer} at "
            f"{given.at.astimezone(dt.UTC).isoformat()} ({given.source})",
        )
    return given.at


def _cooloff() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def _cooloff_minutes() -> int:
    return round(_cooloff().total_seconds() / 60)


def signing_blocked(user: AbstractBaseUser) -> bool:
    """Whether the user's last wrong passwords at signing reach the login lockout's limit.

    The same limit and cool-off as a failed login (``AXES_FAILURE_LIMIT`` in
    ``AXES_COOLOFF_TIME``), so that re-entering the password at signing is no way around the
    login's lockout (21 CFR 11.300(d), 1997: attempts at unauthorised use are detected). The
    count is read from the trail: refusals since the user's last applied signature within
    the cool-off.
    """
    recent = AuditEntry.objects.filter(
        action=Action.SIGN,
        actor=user.get_username(),
        at__gte=timezone.now() - _cooloff(),
    ).order_by("-seq")
    refused = 0
    for outcome in recent.values_list("new_value", flat=True).iterator():
        if outcome == _BLOCKED:
            continue
        if outcome != _REFUSED:
            break  # a signature applied: the count starts again
        refused += 1
    return refused >= int(settings.AXES_FAILURE_LIMIT)


_REFUSED = encode_value("refused")
_BLOCKED = encode_value("blocked")


def active_signature(subject: Subject) -> Signature | None:
    if _read_with(subject, "signatures"):
        active = [s for s in subject.signatures.all() if s.voided_at is None]
        return active[-1] if active else None
    return subject.signatures.filter(voided_at__isnull=True).last()


def last_voided_signature(subject: Subject) -> Signature | None:
    if _read_with(subject, "signatures"):
        voided = [s for s in subject.signatures.all() if s.voided_at is not None]
        return voided[-1] if voided else None
    return subject.signatures.filter(voided_at__isnull=False).last()


def _failed_signatures_recorded(function: Callable[P, R]) -> Callable[P, R]:
    """A refused signature is recorded in the trail, outside the transaction it rolls back."""

    @functools.wraps(function)
    def signing(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (SignatureRefusedError, SigningBlockedError) as refusal:
            # Each decorated service takes (user, subject, ...); P.args types them as object.
            user, subject = cast(User, args[0]), args[1]
            assert isinstance(subject, Subject)
            outcome = "blocked" if isinstance(refusal, SigningBlockedError) else "refused"
            record(user, Action.SIGN, subject=subject, form="enrolment", new=outcome)
            raise

    return signing


@_failed_signatures_recorded
@transaction.atomic
def sign_again(user: User, subject: Subject, password: str) -> Signature:
    """Sign the eligibility again after a correction voided the enrolment signature."""
    require(user, Can.SIGN, subject)
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.subject_id is None:
        raise RuleError(_("Enrol the subject first."))
    if active_signature(subject) is not None:
        raise RuleError(_("The eligibility is already signed."))
    decision = eligibility(subject)
    if decision is None or decision.outcome is not Outcome.ELIGIBLE:
        raise RuleError(_("The eligibility decision is not 'eligible': signature refused."))
    _sign(user, subject, password)
    signature = active_signature(subject)
    assert signature is not None
    return signature


def next_subject_id(site: Site) -> str:
    taken = Subject.objects.filter(site=site, subject_id__isnull=False).count()
    subject_id = f"{site.code}-{taken + 1:03d}"
    if not SUBJECT_ID.fullmatch(subject_id):
        raise RuleError(
            _("Site code %(code)s cannot make a subject ID: rename the site (two to ten capitals).")
            % {"code": site.code}
        )
    return subject_id


@_failed_signatures_recorded
@transaction.atomic
def enrol(
    user: User,
    subject: Subject,
    password: str,
    first_infusion_date: dt.date,
    enrolment_date: dt.date | None = None,
) -> Subject:
    """The investigator's signed confirmation of eligibility; assigns the ID, plans the visits.

    The signature follows 21 CFR 11.200: the password is entered again at signing, and the
    signer's name, the time and the meaning are stored with it.
    """
    require(user, Can.SIGN, subject)
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    _editable(subject)
    if subject.status != SubjectStatus.SCREENING:
        raise RuleError(_("Only a subject in screening can be enrolled."))
    if not Consent.objects.filter(subject=subject).exists():
        raise RuleError(_("No enrolment without a recorded written consent."))
    decision = eligibility(subject)
    if decision is None or decision.outcome is not Outcome.ELIGIBLE:
        raise RuleError(_("The eligibility decision is not 'eligible': enrolment refused."))
    site_today = subject.site.today()
    enrolled_on = enrolment_date or site_today
    consented_on = subject.site.date_of(Consent.objects.get(subject=subject).obtained_at)
    if not consented_on <= enrolled_on <= site_today:
        raise RuleError(_("The enrolment date must lie between the consent and today."))
    if first_infusion_date < enrolled_on:
        raise RuleError(_("The first infusion cannot precede the enrolment."))
    now = _sign(user, subject, password)
    subject.subject_id = next_subject_id(subject.site)
    subject.status = SubjectStatus.ENROLLED
    subject.enrolled_at = now
    subject.enrolment_date = enrolled_on
    subject.first_infusion_date = first_infusion_date
    subject.save()
    record(
        user,
        Action.CREATE,
        subject=subject,
        form="enrolment",
        new={
            "subject_id": subject.subject_id,
            "screening_number": subject.screening_number,
            "first_infusion_date": first_infusion_date.isoformat(),
            "enrolment_date": enrolled_on.isoformat(),
        },
    )
    for order, definition in enumerate(SCHEDULE):
        start, end = definition.window(first_infusion_date)
        Visit.objects.create(
            subject=subject,
            code=definition.code,
            planned_date=definition.planned_date(first_infusion_date),
            window_start=start,
            window_end=end,
            order=order * 10,
        )
    return subject


# -- visits and forms ------------------------------------------------------------------------


def _visit_for_update(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("subject").get(pk=visit.pk)


@transaction.atomic
def set_visit_date(
    user: User, visit: Visit, date: dt.date, version: int, reason: str = ""
) -> Visit:
    """The day the visit took place; the window check is shown, never silently passed."""
    require(user, Can.ENTER_DATA, visit.subject)
    checked(reason=reason)
    visit = _visit_for_update(visit)
    _editable(visit.subject)
    if visit.version != version:
        raise ConflictError(_("This visit changed since you opened it; reload to see it."))
    if date > visit.subject.site.today():
        raise RuleError(_("A visit date cannot be in the future."))
    first = visit.subject.first_infusion_date
    if first is not None and date < first:
        raise RuleError(_("A visit date cannot precede the first infusion."))
    old = visit.date
    if old is not None:
        reason = _needs_reason(reason)
    visit.date = date
    visit.status = VisitStatus.DONE
    visit.version += 1
    visit.save(update_fields=["date", "status", "version"])
    record(
        user,
        Action.CREATE if old is None else Action.UPDATE,
        subject=visit.subject,
        visit=visit.code,
        form="visit",
        field="date",
        old=old.isoformat() if old else None,
        new=date.isoformat(),
        reason=reason,
    )
    return visit


@transaction.atomic
def mark_missed(user: User, visit: Visit, reason: str) -> Visit:
    require(user, Can.ENTER_DATA, visit.subject)
    checked(reason=reason)
    visit = _visit_for_update(visit)
    _editable(visit.subject)
    if visit.forms.exists():
        raise RuleError(_("A visit with saved forms cannot be marked missed."))
    reason = _needs_reason(reason)
    visit.status = VisitStatus.MISSED
    visit.missed_reason = reason
    visit.version += 1
    visit.save(update_fields=["status", "missed_reason", "version"])
    record(
        user,
        Action.UPDATE,
        subject=visit.subject,
        visit=visit.code,
        form="visit",
        field="status",
        old="planned",
        new="missed",
        reason=reason,
    )
    return visit


@transaction.atomic
def add_unscheduled_visit(user: User, subject: Subject, date: dt.date) -> Visit:
    require(user, Can.ENTER_DATA, subject)
    _editable(subject)
    if subject.status != SubjectStatus.ENROLLED:
        raise RuleError(_("Visits are for enrolled subjects."))
    count = subject.visits.filter(planned_date__isnull=True).count()
    visit = Visit.objects.create(subject=subject, code=f"U{count + 1}", order=1000 + count)
    return set_visit_date(user, visit, date, version=0)


class LockedForSave(NamedTuple):
    """A visit (with its subject and site) and one of its forms, read FOR UPDATE."""

    visit: Visit
    form: FormData | None


def lock_for_save(visit_pk: int, crf_code: str) -> LockedForSave:
    """The visit and its form locked for a save in the caller's transaction, as a page reads
    them to show the form: `save_form` then reads neither again (issue 19).

    Raises ``Visit.DoesNotExist``. Locks the visit and subject rows, as `save_form` does, and
    the form's row; not the site's or the user's, which every save at the site shares.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_save: call it inside transaction.atomic()")
    sql, params = _locked_read(visit_pk, crf_code)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Visit.DoesNotExist(f"no visit {visit_pk}")
    visit, subject, site, form = _read_apart(row)
    Subject.site.field.set_cached_value(subject, site)
    Visit.subject.field.set_cached_value(visit, subject)
    if form is not None:
        FormData.visit.field.set_cached_value(form, visit)
    elif connection.features.has_select_for_update:
        # None in the statement's snapshot, taken before the visit's lock was granted: a
        # form another save created meanwhile shows only to a statement that begins after
        # the lock (as READ COMMITTED reads), and this save is then the second of two.
        form = FormData.objects.select_for_update().filter(visit=visit, crf=crf_code).first()
    return LockedForSave(visit, form)


_LOCKED_VISIT = Rows(Visit, "v0")
_LOCKED_SUBJECT = Rows(Subject, "s0")
_LOCKED_SITE = Rows(Site, "t0")
_LOCKED_FORM = Rows(FormData, "f0")


def _read_apart(row: Sequence[Any]) -> tuple[Visit, Subject, Site, FormData | None]:
    """The locked read's row as one instance per model (no form when it is not saved yet);
    the first column is the visit's id the form's subquery joins on."""
    parts = (_LOCKED_VISIT, _LOCKED_SUBJECT, _LOCKED_SITE, _LOCKED_FORM)
    visit, subject, site, form = build_side_by_side(statements.database(), row, parts, start=1)
    return visit, subject, site, form


def _locked_read(visit_pk: int, crf_code: str) -> statements.Statement:
    """The save's one read, written in SQL (the ORM built its two statements for about 1 ms
    of CPU per save): the visit with its subject and site, and the form, if saved.

    On a server database the visit's and subject's rows are locked first, as the ORM's
    ``select_for_update(of=("self", "subject"))`` does, then the form's (a LATERAL join on
    the visit, which must be read first): the order every save takes them in. The form's
    row is in an outer join, which ``FOR UPDATE`` may not lock, hence its own subquery.
    """
    db = statements.database()
    q = db.ops.quote_name
    joined = (
        f"FROM {_LOCKED_VISIT.table(db)} INNER JOIN {_LOCKED_SUBJECT.table(db)} "
        f"ON s0.{q('id')} = v0.{q('subject_id')} "
        f"INNER JOIN {_LOCKED_SITE.table(db)} ON t0.{q('id')} = s0.{q('site_id')}"
    )
    columns = (
        f"v0.{q('id')} AS locked_visit, {_LOCKED_VISIT.columns(db)}, "
        f"{_LOCKED_SUBJECT.columns(db)}, {_LOCKED_SITE.columns(db)}"
    )
    if not db.features.has_select_for_update:  # SQLite: a writer locks the database
        return (
            f"SELECT {columns}, {_LOCKED_FORM.columns(db)} {joined} "
            f"LEFT JOIN {_LOCKED_FORM.table(db)} ON f0.{q('visit_id')} = v0.{q('id')} "
            f"AND f0.{q('crf')} = %s WHERE v0.{q('id')} = %s",
            [crf_code, visit_pk],
        )
    return (
        f"WITH v AS MATERIALIZED (SELECT {columns} {joined} WHERE v0.{q('id')} = %s "
        "FOR UPDATE OF v0, s0) "
        f"SELECT v.*, f.* FROM v LEFT JOIN LATERAL (SELECT {_LOCKED_FORM.columns(db)} "
        f"FROM {_LOCKED_FORM.table(db)} WHERE f0.{q('visit_id')} = v.locked_visit "
        f"AND f0.{q('crf')} = %s FOR UPDATE) f ON true",
        [visit_pk, crf_code],
    )


def saved_forms(visit: Visit) -> dict[str, dict[str, Any]]:
    """The visit's forms that hold values, by CRF code: a form declared not done (or holding
    none) and a retired form are not the visit's record (`records.visit_forms`)."""
    return {
        form.crf: form.data
        for form in visit.forms.all()
        if form.entered and form.crf in CRF_BY_CODE
    }


@transaction.atomic
def save_form(
    user: User,
    visit: Visit,
    crf_code: str,
    data: Mapping[str, Any],
    version: int,
    reason: str = "",
) -> FormData:
    """Save one eCRF after its model's edit checks; the second of two concurrent saves fails."""
    require(user, Can.ENTER_DATA, visit.subject)
    if crf_code not in CRF_BY_CODE:
        raise RuleError(_("Unknown form %(crf)s.") % {"crf": crf_code})
    locked = lock_for_save(visit.pk, crf_code)
    return save_locked_form(user, locked, crf_code, data, version, reason)


def save_locked_form(
    user: User,
    locked: LockedForSave,
    crf_code: str,
    data: Mapping[str, Any],
    version: int,
    reason: str = "",
) -> FormData:
    """`save_form` of a visit and form the caller locked (`lock_for_save`), in the caller's
    transaction: no savepoint of its own, so the caller lets a refusal (`RuleError`,
    `ConflictError`) end its transaction, as a page's save does."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_locked_form: call it inside transaction.atomic()")
    visit, form = locked
    if form is not None and form.crf != crf_code:
        raise ValueError(f"save_locked_form: the locked form is {form.crf}, not {crf_code}")
    require(user, Can.ENTER_DATA, visit.subject)
    checked(data=data, reason=reason)
    crf = CRF_BY_CODE.get(crf_code)
    if crf is None:
        raise RuleError(_("Unknown form %(crf)s.") % {"crf": crf_code})
    _editable(visit.subject)
    if visit.status != VisitStatus.DONE or visit.date is None:
        raise RuleError(_("Enter the visit date before its forms."))
    try:
        model = crf.model.model_validate(dict(data))
    except ValidationError as error:
        raise RuleError(str(error)) from error
    if isinstance(model, Infusion):
        _infused_lot_in_date(visit, model)
    validated = model.model_dump(mode="json", exclude_none=True)
    if form is None:
        if version != 0:
            raise ConflictError(_("This form was deleted or never saved; reload it."))
        form = FormData(visit=visit, crf=crf_code, data=validated, updated_by=account(user))
        form.save()  # its new id is the version's and the queries' record
        before = None
        changed: list[statements.Statement] = []
    else:
        if form.locked:
            raise RuleError(_("This form is locked."))
        if form.not_done:
            raise RuleError(
                _("This form is declared not done; undo that, with a reason, to enter values.")
            )
        if form.version != version:
            raise ConflictError(
                _("%(who)s saved this form since you opened it; nothing was overwritten. Reload.")
                % {"who": form.updated_by.get_username()}
            )
        reason = _needs_reason(reason)
        before = form.data
        form.data = validated
        form.version += 1
        form.updated_by = account(user)
        # A new version is not the one verified, changed or not.
        clear_verification(
            user,
            form,
            "data changed after verification"
            if before != validated
            else "saved again after verification",
            subject=visit.subject,
            visit=visit.code,
            form=crf_code,
        )
        form.stamp()
        changed = [statements.update(form)]
    saved = form
    # The form's row and its version are sent with the trail's entries, in one round trip
    # on PostgreSQL (issue 19): the same rows as `form.save()` and `store_version`.
    record_changes(
        user,
        Action.CREATE if before is None else Action.UPDATE,
        before,
        validated,
        subject=visit.subject,
        visit=visit.code,
        form=crf_code,
        reason=reason,
        along=lambda entries: [
            *changed,
            version_written(saved, validated, user, reason, entries, visit),
        ],
    )
    query_soft_limits(user, form, model)
    return form


def _infused_lot_in_date(visit: Visit, infusion: Infusion) -> None:
    """An infusion's lot is one the site holds, in date on the infusion day (ICH E6 4.6.3)."""
    from lupustrial.edc.pharmacy.services import lot_for_infusion  # the pharmacy app reads us

    if infusion.given and infusion.lot_number and infusion.date is not None:
        problem = lot_for_infusion(visit.subject.site, infusion.lot_number, infusion.date)
        if problem is not None:
            raise RuleError(f"lot_number: {problem}")


def query_soft_limits(user: User, form: FormData, model: BaseModel) -> None:
    """A query on each saved value outside its soft limits (`clinical.limits`), unless one is
    already open or answered on that field: the value is kept, the site is asked to confirm.

    The last step of `save_form`, after the form's row and its trail entries are written;
    public for what must raise the same queries for a saved form (the save's reference
    in tests/edc/test_form_save_rows.py). Each query raised writes its own trail entry.
    """
    for finding in soft_limit_findings(model):
        pending = form.queries.filter(field=finding.field).exclude(status=QueryStatus.CLOSED)
        if pending.filter(text__startswith=AUTOMATIC_QUERY_MARK).exists():
            continue
        text = AUTOMATIC_QUERY_MARK + _(
            "%(problem)s; expected %(expected)s (%(source)s). Please confirm or correct."
        ) % {"problem": finding.problem, "expected": finding.expected, "source": finding.source}
        query = Query.objects.create(
            form=form, field=finding.field, text=text, raised_by=account(user)
        )
        _query_audit(user, query, {"status": "open", "text": query.text})


AUTOMATIC_QUERY_MARK = "[auto] "
"""Opens the text of a query raised by a soft limit, so it is raised once per field."""


def derived(visit: Visit) -> AssessmentResult | None:
    """SLEDAI-2K, clinical SLEDAI-2K, LLDAS, DORIS and prednisolone for one visit."""
    return derived_for_subject(visit.subject).get(visit.pk)


def derived_for_subject(subject: Subject) -> dict[int, AssessmentResult]:
    """Every visit's derived scores, from one read of the subject's forms (`scored_visits`)."""
    return {pk: result for pk, (_key, result) in scored_visits(subject).items()}


def scored_visits(subject: Subject) -> dict[int, tuple[Hashable, AssessmentResult]]:
    """Every visit's derived scores with the version key they are kept under (`SCORES`):
    what the visit's forms and dates, and its previous assessment's, are now.

    The same derivation as the dataset's (`protocol.crfs.score_visit` over the visit record
    `edc.study.records` maps), against the previous assessment the protocol's one rule
    chooses (`protocol.crfs.previous_assessment`): scheduled and unscheduled visits alike.
    """
    # Read onto the caller's subject (once: a page that prefetched them reads nothing again).
    prefetch_related_objects([subject], "visits__forms")
    visits = done_visits(subject)
    results: dict[int, tuple[Hashable, AssessmentResult]] = {}
    for pair in visits:
        visit, forms = pair
        if not visit.forms.all():
            continue
        previous = previous_assessment(visits, pair, lambda v: v[0].date, lambda v: v[1])
        # Scored once per version of the forms and dates it reads (`by_version`).
        key: tuple[object, ...] = (visit.pk, visit.date, forms_version(visit))
        if previous is not None:
            key += (previous[0].pk, previous[0].date, forms_version(previous[0]))
        results[visit.pk] = (
            key,
            SCORES.get(
                key,
                functools.partial(
                    score_visit,
                    forms,
                    visit.date,
                    previous[1] if previous else None,
                    previous[0].date if previous else None,
                    protocol=DEFAULT_PROTOCOL,
                ),
            ),
        )
    return results


SCORES: ByVersion[AssessmentResult] = ByVersion(4096)
"""Each visit's derived scores, per version of the forms and dates they read (`by_version`)."""


# -- data quality ---------------------------------------------------------------------------


def _form_as_seen(form: FormData, version: int) -> FormData:
    """The form, locked for the change, if it is still at the version the user opened.

    Verification and locks are statements about what the user saw: a version saved after
    the page was opened is refused, not verified or locked unseen.
    """
    current = FormData.objects.select_for_update().select_related("visit__subject").get(pk=form.pk)
    require_version_opened(version, current.version)
    return current


def require_version_opened(seen: int, now: int) -> None:
    """Refuse a statement (verification, lock) about a version other than the one now stored."""
    if seen != now:
        raise ConflictError(
            _(
                "You opened version %(seen)s of this form, but version %(now)s was saved since: "
                "nothing was done. Reload the form and check what is there."
            )
            % {"seen": seen, "now": now}
        )


def clear_verification(
    user: User,
    verified: Any,
    reason: str,
    *,
    subject: Subject,
    visit: str,
    form: str,
    field: str = "",
) -> None:
    """A record that changes is no longer the version verified (ICH E6(R2) 5.18.4, 2016): its
    verification ends, and the trail says so. The caller saves the record."""
    if verified.verified_at is None:
        return
    verified.verified_at = None
    verified.verified_by = None
    record(
        user, Action.UNVERIFY, subject=subject, visit=visit, form=form, field=field, reason=reason
    )


def mark_verified(
    user: User,
    verified: Any,
    *,
    subject: Subject,
    visit: str = "",
    form: str,
    field: str = "",
) -> None:
    """Source-data verification of the version the monitor opened (ICH E6(R2) 5.18.4, 2016):
    the record is stamped and saved, and the trail says which version, at the row's time.
    The twin of `clear_verification`; the caller has checked the permission and the version."""
    verified.verified_at = imports.now()
    verified.verified_by = user
    verified.save(update_fields=["verified_at", "verified_by"])
    record(
        user,
        Action.VERIFY,
        subject=subject,
        visit=visit,
        form=form,
        field=field,
        new={"version": verified.version, "at": verified.verified_at.isoformat()},
        at=verified.verified_at,  # the row's time and its entry's are one (`trail._append`)
    )


@transaction.atomic
def verify_form(user: User, form: FormData, version: int) -> FormData:
    """Source-data verification of the version the monitor opened (ICH E6(R2) 5.18.4, 2016)."""
    require(user, Can.VERIFY, form.visit.subject)
    form = _form_as_seen(form, version)
    mark_verified(user, form, subject=form.visit.subject, visit=form.visit.code, form=form.crf)
    return form


@transaction.atomic
def set_form_lock(
    user: User, form: FormData, locked: bool, version: int, reason: str = ""
) -> FormData:
    """Lock or unlock the version of the form the user opened; unlocking needs a reason."""
    require(user, Can.LOCK, form.visit.subject)
    checked(reason=reason)
    if not locked:
        reason = _needs_reason(reason)
    form = _form_as_seen(form, version)
    form.locked = locked
    form.save(update_fields=["locked"])
    record(
        user,
        Action.LOCK if locked else Action.UNLOCK,
        subject=form.visit.subject,
        visit=form.visit.code,
        form=form.crf,
        new={"version": form.version},
        reason=reason,
    )
    return form


@transaction.atomic
def set_casebook_lock(user: User, subject: Subject, locked: bool, reason: str = "") -> Subject:
    """Lock or unlock every form of the subject; the trail names each form's version."""
    require(user, Can.LOCK, subject)
    checked(reason=reason)
    if not locked:
        reason = _needs_reason(reason)
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    subject.casebook_locked = locked
    subject.save(update_fields=["casebook_locked"])
    forms = FormData.objects.select_for_update().filter(visit__subject=subject)
    versions = {
        f"{code} {crf}": version
        for code, crf, version in forms.values_list("visit__code", "crf", "version")
    }
    forms.update(locked=locked)
    record(
        user,
        Action.LOCK if locked else Action.UNLOCK,
        subject=subject,
        form="casebook",
        new={"versions": versions},
        reason=reason,
    )
    return subject


@transaction.atomic
def raise_query(
    user: User, form: FormData, field: str, text: str, *, at: dt.datetime | None = None
) -> Query:
    """A question on a form's field (or the whole form: ``field`` blank), audited.

    ``at``: the moment of the change that raised it (a monitoring finding), for the query's
    ``raised_at`` and its entry alike."""
    require(user, Can.RAISE_QUERY, form.visit.subject)
    checked(field=field, text=text)
    if not text.strip():
        raise RuleError(_("A query needs a question."))
    limit = Query._meta.get_field("field").max_length
    assert limit is not None  # a CharField: Django requires its max_length
    if len(field.strip()) > limit:
        raise InvalidTextError(
            "field",
            _("%(field)s is too long: at most %(limit)s characters.")
            % {"field": "field", "limit": limit},
        )
    at = at or imports.now()  # the row's time and its entry's are one (`trail._append`)
    query = Query.objects.create(
        form=form, field=field.strip(), text=text.strip(), raised_by=account(user), raised_at=at
    )
    _query_audit(user, query, {"status": "open", "text": query.text}, at=at)
    return query


@transaction.atomic
def answer_query(user: User, query: Query, answer: str) -> Query:
    require(user, Can.ANSWER_QUERY, query.form.visit.subject)
    checked(answer=answer)
    if query.status == QueryStatus.CLOSED:
        raise RuleError(_("This query is closed."))
    if not answer.strip():
        raise RuleError(_("An answer is required."))
    query.answer = answer.strip()
    query.status = QueryStatus.ANSWERED
    query.save(update_fields=["answer", "status"])
    _query_audit(user, query, {"status": "answered", "answer": query.answer})
    return query


@transaction.atomic
def close_query(user: User, query: Query) -> Query:
    require(user, Can.CLOSE_QUERY, query.form.visit.subject)
    query.status = QueryStatus.CLOSED
    query.save(update_fields=["status"])
    _query_audit(user, query, {"status": "closed"})
    return query


def _query_audit(
    user: User, query: Query, new: dict[str, str], *, at: dt.datetime | None = None
) -> None:
    form = query.form
    record(
        user,
        Action.QUERY,
        subject=form.visit.subject,
        visit=form.visit.code,
        form=form.crf,
        field=query.field,
        new={"query": query.pk, **new},
        at=at,
    )


# -- end of participation -------------------------------------------------------------------


@transaction.atomic
def withdraw(user: User, subject: Subject, on: dt.date, reason: str) -> Subject:
    """The subject leaves the study before its end; the reason is required."""
    return _end(user, subject, SubjectStatus.WITHDRAWN, on, _needs_reason(reason))


@transaction.atomic
def complete(user: User, subject: Subject, on: dt.date) -> Subject:
    """The subject reached the end of the study."""
    return _end(user, subject, SubjectStatus.COMPLETED, on, "")


def _end(user: User, subject: Subject, status: SubjectStatus, on: dt.date, reason: str) -> Subject:
    require(user, Can.ENTER_DATA, subject)
    checked(reason=reason)
    _editable(subject)
    if subject.status != SubjectStatus.ENROLLED:
        raise RuleError(_("Only an enrolled subject can leave the study."))
    if on > subject.site.today():
        raise RuleError(_("The end of participation cannot be in the future."))
    subject.status = status
    if status == SubjectStatus.WITHDRAWN:
        subject.withdrawn_on, subject.withdrawal_reason = on, reason
    else:
        subject.completed_on = on
    subject.save()
    record(
        user,
        Action.UPDATE,
        subject=subject,
        form="end_of_study",
        field="status",
        old=SubjectStatus.ENROLLED.value,
        new={"status": status.value, "on": on.isoformat()},
        reason=reason,
    )
    return subject


# -- the trail of one subject -----------------------------------------------------------------


def audit_entries(subject: Subject) -> QuerySet[AuditEntry]:
    """The subject's entries, by primary key; never another subject's that shares a label.

    Entries written before they carried the key are matched by label, and only by a label
    that no other subject has.
    """
    labels = {subject.screening_number, subject.subject_id} - {None}
    shared = Subject.objects.exclude(pk=subject.pk).filter(
        Q(screening_number__in=labels) | Q(subject_id__in=labels)
    )
    labels -= {s.screening_number for s in shared} | {s.subject_id for s in shared}
    legacy = Q(subject_ref__isnull=True, subject__in=labels)
    return AuditEntry.objects.filter(Q(subject_ref=subject.pk) | legacy)


# -- exports ----------------------------------------------------------------------------------


def record_export(user: User, what: str, subject: Subject | None = None) -> None:
    """A download of study data (audit trail, report): who took what, in the trail."""
    record(user, Action.EXPORT, subject=subject or "", form=what)


CONSOLE_PREFIX = "console:"
"""How an actor at the server's command line is named in the trail (`console:<OS user>`)."""


def require_casebook(actor: User | str, subject: Subject) -> None:
    """A casebook (every form, query and the trail's summary) is for the roles that see the
    subject's trail at its site; at the server's console, for whoever runs the command."""
    if isinstance(actor, str):
        if not actor.startswith(CONSOLE_PREFIX):
            raise NotAllowedError(_("A casebook is exported by a user or at the console."))
        return
    require(actor, Can.VIEW_SUBJECTS, subject)
    require(actor, Can.VIEW_AUDIT, subject)


def record_casebook_export(actor: User | str, subject: Subject, sha256: str) -> None:
    """A casebook exported: who, which subject, and the SHA-256 of the PDF handed out."""
    record(actor, Action.EXPORT, subject=subject, form="casebook", new={"sha256": sha256})


def record_import(actor: str, what: str, new: Mapping[str, Any], reason: str) -> None:
    """An import's own start and end in the trail (`edc.odm_import`): who ran it, from which
    file, and what it wrote; the entries it replays in between carry its import id."""
    record(actor, Action.IMPORT, form="odm", field=what, new=dict(new), reason=reason)


def is_overdue(visit: Visit, subject: Subject, today: dt.date) -> bool:
    """A planned visit of an active subject whose window closed before ``today``, the
    subject's site's own date."""
    if subject.status != SubjectStatus.ENROLLED or visit.status != VisitStatus.PLANNED:
        return False
    timing = visit_timing(visit.window_start, visit.window_end, today, done=False)
    return timing is VisitTiming.OVERDUE


def overdue_visits(user: User, subjects: list[Subject] | None = None) -> list[Visit]:
    """Planned visits whose window closed before today at their site (its own date), by
    subject and visit order.

    ``subjects``: those the user sees, as a page already read them (`SUBJECT_RECORD`).
    """
    if subjects is None:
        enrolled = visible_subjects(user).filter(status=SubjectStatus.ENROLLED)
        subjects = list(enrolled.prefetch_related("visits"))
    found: list[Visit] = []
    for subject in subjects:
        today = subject.site.today()
        found.extend(v for v in subject.visits.all() if is_overdue(v, subject, today))
    return found


# -- the study dataset ----------------------------------------------------------------------


def export_dataset(user: User) -> tuple[str, bytes]:
    """A verified snapshot of the whole study as a zip (tables and manifest), audited.

    For the roles that export the study dataset (statistician, data manager): pseudonymised
    records of every site, frozen now (local time), the same tables and manifest as
    ``lupustrial dataset export --source database``. The trail gets an EXPORT entry with the
    data cut, the zip's SHA-256 and every table's row count. Returns the file name and bytes.
    """
    require(user, Can.EXPORT_DATASET)
    # Imported here: the export reads eligibility decisions through this module.
    from lupustrial.dataset.snapshot import write_snapshot_zip
    from lupustrial.edc.export import database_records

    cut = timezone.localtime().replace(microsecond=0)
    name = f"lupustrial-snapshot-{cut:%Y%m%dT%H%M%S}"
    data, manifest = write_snapshot_zip(database_records(), name, cut, source="database")
    record(
        user,
        Action.EXPORT,
        form="dataset",
        new={
            "data_cut": manifest["data_cut"],
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": {table: entry["rows"] for table, entry in manifest["tables"].items()},
        },
    )
    return f"{name}.zip", data
