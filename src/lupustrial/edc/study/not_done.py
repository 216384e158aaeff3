"""Declaring an eCRF "not done" at a visit, with its reason, and undoing that (issue 18).

A form is complete, incomplete, or not done (`protocol.completeness`): labs not drawn, a part
of the visit the patient did not attend. CDISC CDASH records this as the status "NOT DONE"
with the reason not done (--STAT/--REASND, CDASH Implementation Guide v2.1, 2019). The
reason is kept on the form record (`FormData.not_done_reason`) and each declaration or undo
is one trail entry on the form's field ``not_done_reason`` (who, when, old and new reason,
and why), which `audit verify` reconciles with the record (`reconcile.py`).

A form not done holds no values: one with values entered is refused (a part of it was done,
so it is incomplete, not "not done"), and a form not done refuses values until the
declaration is undone. Undoing needs its own reason; the form is then to enter again. The
declaration is no new version of the form's content (that stays as it was, empty): a form
declared before it was ever saved is created empty, version 1, stored as its first version.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import FormData, Visit, VisitStatus
from lupustrial.edc.study.services import (
    ConflictError,
    RuleError,
    _editable,
    _needs_reason,
    checked,
    clear_verification,
    require,
)
from lupustrial.edc.study.versions import store_version

FIELD = "not_done_reason"
"""The trail's field of a form's not-done declaration (`reconcile.py`, the ODM export)."""


@transaction.atomic
def set_form_not_done(
    user: User, visit: Visit, crf_code: str, reason: str, version: int, *, not_done: bool = True
) -> FormData:
    """Declare the visit's form ``crf_code`` not done for ``reason`` (or, ``not_done=False``,
    undo that for ``reason``), at the form ``version`` the user opened (0: not saved yet)."""
    require(user, Can.ENTER_DATA, visit.subject)
    checked(reason=reason)
    if crf_code not in CRF_BY_CODE:
        raise RuleError(_("Unknown form %(crf)s.") % {"crf": crf_code})
    reason = _needs_reason(reason)
    visit = Visit.objects.select_for_update().select_related("subject").get(pk=visit.pk)
    _editable(visit.subject)
    if visit.status != VisitStatus.DONE or visit.date is None:
        raise RuleError(_("Enter the visit date before its forms."))
    form = FormData.objects.select_for_update().filter(visit=visit, crf=crf_code).first()
    created = form is None
    if form is None:
        if version != 0 or not not_done:
            raise ConflictError(_("This form was deleted or never saved; reload it."))
        form = FormData(visit=visit, crf=crf_code, data={}, updated_by=user)
    else:
        if form.version != version:
            raise ConflictError(
                _("%(who)s saved this form since you opened it; nothing was changed. Reload.")
                % {"who": form.updated_by.get_username()}
            )
        if form.locked:
            raise RuleError(_("This form is locked."))
        if not_done and form.data:
            raise RuleError(
                _(
                    "This form holds values, so it was done at least in part: complete what "
                    "is missing or say why in a query, rather than declaring it not done."
                )
            )
        if not_done == form.not_done:
            raise RuleError(
                _("This form is already declared not done.")
                if not_done
                else _("This form is not declared not done.")
            )
    old = form.not_done_reason or None
    form.not_done_reason = reason if not_done else ""
    form.updated_by = user
    # The status verified is no longer the form's status.
    clear_verification(
        user,
        form,
        "declared not done" if not_done else "not-done declaration undone",
        subject=visit.subject,
        visit=visit.code,
        form=crf_code,
    )
    form.save()
    entry = record(
        user,
        Action.CREATE if created else Action.UPDATE,
        subject=visit.subject,
        visit=visit.code,
        form=crf_code,
        field=FIELD,
        old=old,
        new=form.not_done_reason or None,
        reason=reason,
    )
    if created:  # the form's first version, empty: its content is what any save changes
        store_version(form, form.data, user, reason, [entry], visit)
    return form
