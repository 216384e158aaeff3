"""Every change to accounts, roles and sites, and every sign-in event, goes through here.

The audit trail is written by the services layer only (this module and `study.services`),
so that each entry names the person who acted, never "system". Administrative changes need
a reason, nobody changes their own role or sites, and a password set by someone else must
be changed by its owner at the next sign-in (accountable administration: 21 CFR 11.10(d)
and (g), limiting system access to authorised individuals, 1997).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.models import Credential, Site, StaffProfile
from lupustrial.edc.accounts.roles import Can, Role
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.keys import AuditKey, current_key
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import Actor, record

User = AbstractBaseUser | AnonymousUser


class AdministrationError(Exception):
    """An administrative change that the rules refuse; the message says why."""


@dataclass(frozen=True)
class AccountState:
    """What the trail keeps of an account: its status, role, sites, name and e-mail address
    (never its password), and the user name its entries are keyed by."""

    active: bool
    role: str
    sites: tuple[str, ...]
    name: str
    # The key of the account's entries, not a value they record: states compare without it.
    username: str = field(default="", compare=False)
    # Where the safety e-mails go (`safety.notifications`): who changed it, and why, counts.
    email: str = ""


def account_state(user_pk: int | None) -> AccountState | None:
    """The account as the database holds it now (``None`` for one not yet created)."""
    if user_pk is None:
        return None
    user = get_user_model().objects.filter(pk=user_pk).first()
    if user is None:
        return None
    profile = StaffProfile.objects.filter(user=user).first()
    run = imports.current_run()
    return AccountState(
        # Inside an import, the original system's status: the account itself stays inactive.
        active=run.statuses.get(user.get_username(), False) if run else user.is_active,
        role=profile.role if profile else "",
        sites=tuple(sorted(profile.sites.values_list("code", flat=True))) if profile else (),
        name=user.get_full_name(),
        username=user.get_username(),
        email=getattr(user, "email", "") or "",
    )


def _needs_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AdministrationError(_("A reason is required for every administrative change."))
    return reason


def _same_person(actor: Actor, user: Any) -> bool:
    return isinstance(actor, AbstractBaseUser) and actor.pk == user.pk


def _administrator(actor: Actor) -> None:
    """Only the administrator role changes accounts from the web; the console is the host's."""
    if isinstance(actor, str):
        return  # an operator at the application host (`lupustrial web add-user`, the demo)
    profile = getattr(actor, "staff", None) if actor is not None else None
    if profile is None or not profile.can(Can.MANAGE_USERS):
        raise AdministrationError(_("Only an administrator changes accounts."))


def check_account_change(
    actor: Actor, user: Any, before: AccountState | None, after: AccountState | None
) -> None:
    """The rules: nobody gives themself a role or a site, or changes their own; a user name
    never changes once given (21 CFR 11.100(a), 1997: an identification is never reassigned) —
    the trail names each person by it, as actor and as account."""
    if before is not None and after is not None and before.username != after.username:
        raise AdministrationError(
            _("A user name never changes: the audit trail names the person by it.")
        )
    if (
        before is not None
        and after is not None
        and _same_person(actor, user)
        and (before.role, before.sites) != (after.role, after.sites)
    ):
        raise AdministrationError(
            _("Nobody changes their own role or sites: ask another administrator.")
        )
    _administrator(actor)


@transaction.atomic
def record_account_change(
    actor: Actor,
    user: Any,
    before: AccountState | None,
    reason: str,
    *,
    password_set: bool = False,
) -> AccountState | None:
    """Check and record one administrative change made in this transaction (admin site).

    ``before`` is the account as it was when the change began; the change itself was saved
    by the caller in the same transaction, which an `AdministrationError` rolls back.
    """
    reason = _needs_reason(reason)
    after = account_state(user.pk)
    check_account_change(actor, user, before, after)
    username = user.get_username()
    old, new = asdict(before) if before else {}, asdict(after) if after else {}
    at = imports.now()  # one change, one moment: an imported file gives each entry back
    # The user name keys every entry (``<username>.<what>``); it is not a value that changes.
    for name in sorted((old.keys() | new.keys()) - {"username"}):
        if old.get(name) != new.get(name):
            action = Action.ROLE_CHANGE if name in ("role", "sites") else Action.USER
            value = new.get(name)
            record(
                actor,
                action,
                at=at,
                form="account",
                field=f"{username}.{name}",
                old=list(old[name]) if isinstance(old.get(name), tuple) else old.get(name),
                new=list(value) if isinstance(value, tuple) else value,
                reason=reason,
            )
    if password_set:
        _password_was_set(actor, user, reason)
    return after


def fingerprint(stored: str, key: AuditKey | None = None) -> str:
    """The stored password field (the hasher's output, never the password) under the audit
    key, which the database does not hold (`audit.keys`): ``<key id>:<HMAC-SHA256>``. Whoever
    writes the field past the services cannot write the fingerprint that matches it, and the
    trail, which keeps the fingerprint, never holds the hash itself."""
    key = key or current_key()
    return f"{key.key_id}:{key.mac(b'lupustrial stored password:' + stored.encode('utf-8'))}"


def _record_credential(actor: Actor, user: Any, said: str, reason: str) -> None:
    """One password event: what happened (``said``) in ``<user>.password``, and the keyed
    fingerprint of the field as stored now in ``<user>.credential``, which `audit verify`
    compares with the account (`accounts.reconcile`)."""
    at = imports.now()
    username = user.get_username()
    record(actor, Action.USER, at=at, form="account", field=f"{username}.password", new=said,
           reason=reason)  # fmt: skip
    record(actor, Action.USER, at=at, form="account", field=f"{username}.credential",
           new=fingerprint(user.password), reason=reason)  # fmt: skip


def _password_was_set(actor: Actor, user: Any, reason: str) -> None:
    by_someone_else = not _same_person(actor, user)
    Credential.objects.update_or_create(
        user=user,
        defaults={"must_change": by_someone_else, "changed_at": timezone.now()},
    )
    said = "set, to be changed at next sign-in" if by_someone_else else "changed by its owner"
    _record_credential(actor, user, said, reason)


RENEWED_AT_SIGN_IN = "stored credential renewed at sign-in"
"""What the trail says when Django rewrote the stored hash as the owner signed in (a hasher
listed first, or more iterations, since it was stored); the password itself is unchanged."""


@transaction.atomic
def check_password(user: Any, password: str) -> bool:
    """The password checked, as at sign-in or signing; when the check rewrites the stored hash
    (Django upgrades it to the first listed hasher and its iterations), the new field's
    fingerprint is recorded, by its owner, so that `audit verify` does not name it."""
    stored = user.password
    matches = bool(user.check_password(password))
    if user.password != stored:
        _record_credential(
            user,
            user,
            RENEWED_AT_SIGN_IN,
            "the stored hash was upgraded to the configured hasher; the password is unchanged",
        )
    return matches


@transaction.atomic
def set_password(actor: Actor, user: Any, password: str | None, reason: str) -> None:
    """Set a user's password (``None``: disable password sign-in).

    One set by someone else must be changed by its owner at the next sign-in.
    """
    reason = _needs_reason(reason)
    if not _same_person(actor, user):
        _administrator(actor)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _record_credential(actor, user, "password sign-in disabled", reason)
        return
    user.set_password(password)
    user.save(update_fields=["password"])
    _password_was_set(actor, user, reason)


@transaction.atomic
def change_own_password(user: Any, password: str) -> None:
    """The owner chooses a new password; a required change is then fulfilled."""
    user.set_password(password)
    user.save(update_fields=["password"])
    _password_was_set(user, user, "changed by its owner")


def must_change_password(user: User) -> bool:
    if not user.is_authenticated:
        return False
    # The sign-in backend reads the credential with the user (`accounts.backends`).
    credential = getattr(user, "credential", None)
    return credential is not None and credential.must_change


@transaction.atomic
def create_account(
    actor: Actor,
    username: str,
    password: str,
    role: str,
    sites: Iterable[str],
    reason: str,
    *,
    full_name: str = "",
    email: str = "",
    own_password: bool = False,
) -> Any:
    """A new user with a study role; sites not known yet are created with their code as name.

    ``own_password``: the password was typed by the user themself (at the console), so it
    need not be changed at the first sign-in.
    """
    reason = _may_create_account(actor, username, role, reason)
    first, _sep, last = full_name.rpartition(" ")
    user = get_user_model()(username=username, first_name=first, last_name=last, email=email)
    user.set_password(password)
    user.save()
    profile = StaffProfile.objects.create(user=user, role=role)
    profile.sites.set(
        [
            Site.objects.filter(code=code).first() or create_site(actor, code, code, reason)
            for code in sites
        ]
    )
    record_account_change(actor, user, None, reason)
    if own_password:
        Credential.objects.create(user=user, must_change=False, changed_at=timezone.now())
        _record_credential(actor, user, "set", "")
    else:
        _password_was_set(actor, user, reason)
    return user


def _may_create_account(actor: Actor, username: str, role: str, reason: str) -> str:
    """The checks every new account passes (a reason, an administrator, a known role, a new
    name); returns the reason, trimmed."""
    reason = _needs_reason(reason)
    _administrator(actor)
    if role not in Role.values:
        raise AdministrationError(
            _("Unknown role %(role)s (known: %(known)s).")
            % {"role": role, "known": ", ".join(Role.values)}
        )
    if get_user_model().objects.filter(username=username).exists():
        raise AdministrationError(_("User %(name)s exists already.") % {"name": username})
    return reason


@transaction.atomic
def create_inactive_account(
    actor: Actor,
    username: str,
    role: str,
    sites: Iterable[str],
    reason: str,
    *,
    full_name: str = "",
    active: bool = False,
    email: str = "",
) -> Any:
    """An account for a person who made changes in another system (an imported study's
    original actors, `lupustrial import odm`), created as the file's first entry about it
    says: inactive and with no password, so nobody signs in as them; it exists so that each
    imported change names its real actor, with the role and sites the study then gave them
    (the services check these as for any change). ``active``: the original account's status,
    recorded as the file gives it (`imports.ImportRun.statuses`); only inside an import."""
    run = imports.current_run()
    if run is None:
        raise RuntimeError("an inactive account is created only by an import")
    reason = _may_create_account(actor, username, role, reason)
    first, _sep, last = full_name.rpartition(" ")
    user = get_user_model()(
        username=username, first_name=first, last_name=last, email=email, is_active=False
    )
    user.set_unusable_password()
    user.save()
    profile = StaffProfile.objects.create(user=user, role=role)
    profile.sites.set(Site.objects.filter(code__in=list(sites)))
    run.statuses[username] = active
    record_account_change(actor, user, None, reason)
    return user


@transaction.atomic
def change_account(
    actor: Actor,
    user: Any,
    reason: str,
    *,
    role: str | None = None,
    sites: Iterable[str] | None = None,
    active: bool | None = None,
    full_name: str | None = None,
    email: str | None = None,
) -> AccountState | None:
    """An account's role, sites, status, name or e-mail address changed, as the administration
    site changes them (`record_account_change` checks and records it). Inside an import the
    status is the original system's, recorded, while the account stays inactive (`imports`)."""
    before = account_state(user.pk)
    profile = user.staff
    if role is not None:
        if role not in Role.values:
            raise AdministrationError(
                _("Unknown role %(role)s (known: %(known)s).")
                % {"role": role, "known": ", ".join(Role.values)}
            )
        profile.role = role
        profile.save(update_fields=["role"])
    if sites is not None:
        profile.sites.set(Site.objects.filter(code__in=list(sites)))
    if full_name is not None:
        user.first_name, _sep, user.last_name = full_name.rpartition(" ")
        user.save(update_fields=["first_name", "last_name"])
    if email is not None:
        user.email = email
        user.save(update_fields=["email"])
    run = imports.current_run()
    if active is not None and run is not None:
        run.statuses[user.get_username()] = active
    elif active is not None:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return record_account_change(actor, user, before, reason)


@transaction.atomic
def replay_password_entry(actor: Actor, user: Any, said: str, reason: str) -> None:
    """A password event of the original system (set, changed, sign-in disabled), recorded as
    the file gives it; the password itself is never in a file and the account keeps none.
    Only inside an import; checked as `set_password` is (someone else's: an administrator)."""
    if imports.current_run() is None:
        raise RuntimeError("a password event is replayed only by an import")
    if not _same_person(actor, user):
        _administrator(actor)
    record(
        actor,
        Action.USER,
        form="account",
        field=f"{user.get_username()}.password",
        new=said,
        reason=reason,
    )


@transaction.atomic
def close_imported_account(actor: Actor, user: Any, reason: str) -> None:
    """At the end of an import, the account as it is here: inactive (recorded if the original
    was active) and without a password sign-in (recorded)."""
    run = imports.current_run()
    if run is None:
        raise RuntimeError("an imported account is closed only by its import")
    before = account_state(user.pk)
    run.statuses.pop(user.get_username(), None)
    record_account_change(actor, user, before, reason)
    set_password(actor, user, None, reason)


def check_site_code(code: str) -> None:
    """A site code makes the subject IDs (``TKY-001``): two to ten capitals or digits."""
    from lupustrial.edc.study.identifiers import SITE_CODE

    if not SITE_CODE.fullmatch(code):
        raise AdministrationError(
            _("A site code is two to ten capitals or digits, beginning with a capital (TKY).")
        )


@transaction.atomic
def create_site(actor: Actor, code: str, name: str, reason: str, time_zone: str = "") -> Site:
    """A new study site, with who created it and why (the model's default zone unless given)."""
    check_site_code(code)
    site = Site(code=code, name=name)
    if time_zone:
        site.time_zone = time_zone
    site.save()
    record_site_change(actor, site, None, reason)
    return site


@transaction.atomic
def record_site_change(
    actor: Actor, site: Site, before: Mapping[str, object] | None, reason: str
) -> None:
    """A site created or renamed in the admin site, with who and why."""
    reason = _needs_reason(reason)
    _administrator(actor)
    check_site_code(site.code)
    after = {"code": site.code, "name": site.name, "time_zone": site.time_zone}
    at = imports.now()  # one change, one moment: an imported file gives each entry back
    for name in ("code", "name", "time_zone"):
        old = before.get(name) if before else None
        if old != after[name]:
            record(
                actor,
                Action.USER,
                at=at,
                form="site",
                field=f"{site.pk}.{name}",
                old=old,
                new=after[name],
                reason=reason,
            )


@transaction.atomic
def change_site(
    actor: Actor, site: Site, reason: str, *, name: str | None = None, time_zone: str = ""
) -> Site:
    """A site renamed or moved to another time zone, as the administration site does it (saved,
    then `record_site_change` checks and records it)."""
    before = {"code": site.code, "name": site.name, "time_zone": site.time_zone}
    if name is not None:
        site.name = name
    if time_zone:
        from django.core.exceptions import ValidationError

        from lupustrial.edc.accounts.models import validate_time_zone

        try:
            validate_time_zone(time_zone)
        except ValidationError as error:
            raise AdministrationError(" ".join(error.messages)) from None
        site.time_zone = time_zone
    site.save(update_fields=["name", "time_zone"])
    record_site_change(actor, site, before, reason)
    return site


# -- sign-in events --------------------------------------------------------------------------


def record_login(user: User, client: str) -> None:
    record(user, Action.LOGIN, new={"client": client})


def record_logout(user: User, client: str) -> None:
    record(user, Action.LOGOUT, new={"client": client})


def record_failed_login(username: str, client: str) -> None:
    # Only the name tried: the credentials arrive with the password already scrubbed.
    record(username[:150] or "anonymous", Action.LOGIN_FAILED, new={"client": client})
