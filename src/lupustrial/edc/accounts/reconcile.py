"""Accounts and sites compared with the replayed trail: a role, a user's sites, an account's
state, a user name, a stored password (by its keyed fingerprint), or a site's code, name or
time zone changed behind the application shows (issue 14, finding 2), and so does an account
made or a profile removed there, every user compared whether or not it has a staff profile.
`edc.reconciliation` runs it with the other apps' comparisons.
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model

from lupustrial.edc.accounts.models import Site, StaffProfile
from lupustrial.edc.accounts.services import fingerprint
from lupustrial.edc.audit.keys import AuditKey, keyring
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.replay import Difference, Event, compare

COVERS: tuple[type[Model], ...] = (Site, StaffProfile)


CREDENTIAL_SAYS = (
    "a password not set through the application",
    "the password the application last set",
)
"""The two sides of a stored password that is not the one the trail's fingerprint names: the
values themselves are never shown (the hash is a secret, the fingerprint says nothing)."""


def _same_credential(said: str, stored: str, keys: Mapping[str, AuditKey]) -> bool:
    """The trail's last fingerprint of an account's stored password (`services.fingerprint`)
    is that of the field as held: a password written past the services (Django's
    `changepassword`, a shell, SQL) is not, and nobody without the audit key can forge it.
    A key that is not known (rotated out and not kept) cannot confirm it either."""
    key_id, _, _mac = said.partition(":")
    key = keys.get(key_id)
    return key is not None and hmac.compare_digest(said, fingerprint(stored, key))


def reconcile(events: Sequence[Event], labels: Mapping[int, str]) -> list[Difference]:
    accounts: dict[tuple[str, str], Any] = {}
    sites: dict[str, dict[str, Any]] = defaultdict(dict)
    for event in events:
        if event.form == "account" and event.action in (Action.ROLE_CHANGE, Action.USER):
            username, _, name = event.field.rpartition(".")
            if name in ("role", "sites", "active", "email", "credential"):
                accounts[(username, name)] = event.new
        elif event.form == "site" and event.action == Action.USER:
            pk, _, name = event.field.partition(".")
            sites[pk][name] = event.new

    # Every user name the trail made an account for: a name no account has any more, or an
    # account the trail never named, is a user renamed (or made) behind the application.
    named = {
        event.field.rpartition(".")[0]
        for event in events
        if event.form == "account" and event.action in (Action.ROLE_CHANGE, Action.USER)
    }
    found: list[Difference] = []
    held_names: set[str] = set()
    # Every account, with a staff profile or without: one made behind the application (SQL,
    # a shell, Django's own commands) may sign in either way, and a profile deleted leaves
    # the user. Without a profile an account holds what `services.account_state` gives it:
    # no role, no sites.
    keys = keyring()
    users = get_user_model().objects.select_related("staff").prefetch_related("staff__sites")
    for user in users.order_by("pk"):
        username = user.get_username()
        held_names.add(username)
        if username not in named:
            found.append(Difference("", "account", f"{username}.username", username, None))
            continue  # the trail has nothing of it to compare with
        profile = getattr(user, "staff", None)
        held = {
            "role": profile.role if profile else "",
            "sites": sorted(s.code for s in profile.sites.all()) if profile else [],
            "active": user.is_active,
            # Compared where the trail records it (every account made since it does).
            "email": user.email,
        }
        for name, value in held.items():
            if (username, name) in accounts and accounts[(username, name)] != value:
                found.append(
                    Difference(
                        "", "account", f"{username}.{name}", value, accounts[(username, name)]
                    )
                )
            elif (username, name) not in accounts and name == "role":
                found.append(Difference("", "account", f"{username}.role", value, None))
        said = accounts.get((username, "credential"))
        if said is not None and not _same_credential(str(said), user.password, keys):
            found.append(Difference("", "account", f"{username}.password", *CREDENTIAL_SAYS))
    for username in sorted(named - held_names):
        found.append(Difference("", "account", f"{username}.username", None, username))
    for site in Site.objects.all():
        held_site = {"code": site.code, "name": site.name, "time_zone": site.time_zone}
        compare(found, "", f"site {site.pk}", held_site, sites.pop(str(site.pk), {}))
    for pk, said in sites.items():
        compare(found, "", f"site {pk}", {}, said)
    return found
