"""The import context: replaying another system's record through the services (issue 20).

An import (`lupustrial import odm`) calls the same services a user's change goes through, as
the original actor (an account made for them), so every rule and the one audit writer hold.
Two things differ from a live change, and both are carried here rather than passed through
every service:

- *who imports, under which import id*: the writer (`trail._append`) stamps both on every
  entry written inside `importing(...)`; the entry's hash covers them;
- *when the change was made*: inside `original(at, ...)`, `now()` is the original time, so
  the entry's time and the times the services store (a version's save time, when an adverse
  event was recorded, a candidate registered) are the original ones, not the import's.

The enrolment signature cannot be given again without its signer: the original signature
(signer, time, meaning, from the file) rides in `original(..., signature=...)`, and the
signing service records it as imported, not signed (`services._sign`). Likewise a document
that was frozen when made and sent on (a safety report) rides in `original(..., document=...)`:
the service keeps what was sent, not what it would build today (`safety.services`).

An original actor's account stays inactive and without a password all through an import,
whatever the file says: its status and password entries are replayed as the original
system's history (`ImportRun.statuses`, `accounts.services`), and the import closes each
account at its end (`accounts.services.close_imported_account`).

Outside an import nothing changes: `now()` is `timezone.now()` and entries carry no importer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class ImportRun:
    """One import: who runs it and its id (both recorded in every entry it writes)."""

    import_id: str
    importer: str
    statuses: dict[str, bool] = field(default_factory=dict, compare=False)
    """The original system's account status (active or not) by login, as replayed so far: the
    accounts themselves stay inactive during an import (`accounts.services.account_state`)."""


@dataclass(frozen=True)
class ImportedSignature:
    """A signature given in the source system, as its file records it (ODM `Signature`)."""

    signer: str  # the signer's login
    at: dt.datetime
    meaning: str
    source: str  # where in the file: "ODM Signature SG.112"


@dataclass(frozen=True)
class Original:
    """The change being replayed: when it was made, and the signature or the frozen document
    it carried, if any."""

    at: dt.datetime
    signature: ImportedSignature | None = None
    document: Any = None


_run: ContextVar[ImportRun | None] = ContextVar("lupustrial_import_run", default=None)
_original: ContextVar[Original | None] = ContextVar("lupustrial_import_original", default=None)


@contextmanager
def importing(import_id: str, importer: str) -> Iterator[ImportRun]:
    """Every entry written inside names ``importer`` and ``import_id``."""
    if not import_id or not importer:
        raise ValueError("an import needs an id and an importer")
    if _run.get() is not None:
        raise RuntimeError("an import is already running in this context")
    run = ImportRun(import_id, importer)
    token = _run.set(run)
    try:
        yield run
    finally:
        _run.reset(token)


@contextmanager
def original(
    at: dt.datetime, signature: ImportedSignature | None = None, document: Any = None
) -> Iterator[Original]:
    """Replay one change made at ``at`` (an aware time); only inside `importing`."""
    if _run.get() is None:
        raise RuntimeError("an original time is given only inside an import")
    if at.tzinfo is None:
        raise ValueError("the original time must carry its time zone")
    replayed = Original(at.astimezone(dt.UTC), signature, document)
    token = _original.set(replayed)
    try:
        yield replayed
    finally:
        _original.reset(token)


def current_run() -> ImportRun | None:
    return _run.get()


def current_original() -> Original | None:
    return _original.get()


def now() -> dt.datetime:
    """The time a change is made: the original change's inside an import, else the clock's."""
    replayed = _original.get()
    return replayed.at if replayed is not None else timezone.now()
