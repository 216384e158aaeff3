"""The key that seals the audit trail, kept outside the database.

Each entry's hash is an HMAC-SHA256 under a key that the database never holds, so whoever
can write to the database (up to a superuser) cannot forge, insert or rewrite an entry
without it being detected (issue 14; 21 CFR 11.10(e), secure audit trails, 1997).

Where the key comes from, first found wins:
- ``LUPUSTRIAL_AUDIT_KEY``: the key itself (at least 32 characters), for hosts that keep
  secrets in the environment;
- ``LUPUSTRIAL_DATA_DIR/audit_key``: generated on first use, readable by its owner only.

Rotation (``lupustrial audit rotate-key``) moves the current key file into
``LUPUSTRIAL_DATA_DIR/audit_keys/<key id>`` and writes a new one; entries name the key that
sealed them (``key_id``), so older entries still verify. Retired keys given through the
environment go in ``LUPUSTRIAL_AUDIT_OLD_KEYS`` (comma-separated).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ENV_KEY = "LUPUSTRIAL_AUDIT_KEY"
ENV_OLD_KEYS = "LUPUSTRIAL_AUDIT_OLD_KEYS"
MIN_LENGTH = 32


class AuditKeyError(RuntimeError):
    """The audit key is missing, too short or unreadable; the message says what to do."""


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes

    def mac(self, payload: bytes) -> str:
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest()


def key_id_of(secret: bytes) -> str:
    """A key's public name: the start of its SHA-256, which says nothing of the key."""
    return hashlib.sha256(b"lupustrial audit key id:" + secret).hexdigest()[:16]


def _key(secret: str, origin: str) -> AuditKey:
    if len(secret) < MIN_LENGTH:
        raise AuditKeyError(f"{origin} holds too short an audit key (at least {MIN_LENGTH})")
    raw = secret.encode("utf-8")
    return AuditKey(key_id_of(raw), raw)


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def key_file() -> Path:
    return data_dir() / "audit_key"


def retired_dir() -> Path:
    return data_dir() / "audit_keys"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def current_key() -> AuditKey:
    """The key new entries are sealed with; created in the data directory on first use."""
    if secret := os.environ.get(ENV_KEY):
        return _key(secret.strip(), ENV_KEY)
    path = key_file()
    if not path.exists():
        try:
            _write_private(path, secrets.token_hex(32))
        except FileExistsError:
            pass  # another process created it a moment ago: read theirs
        except OSError as error:
            raise AuditKeyError(f"cannot create the audit key {path}: {error.strerror}") from None
    try:
        return _key(path.read_text(encoding="utf-8").strip(), str(path))
    except OSError as error:
        raise AuditKeyError(f"cannot read the audit key {path}: {error.strerror}") from None


def keyring() -> dict[str, AuditKey]:
    """Every key that may have sealed an entry: the current one and the retired ones."""
    keys = [current_key()]
    for secret in filter(None, os.environ.get(ENV_OLD_KEYS, "").split(",")):
        keys.append(_key(secret.strip(), ENV_OLD_KEYS))
    if retired_dir().is_dir():
        for path in sorted(retired_dir().iterdir()):
            keys.append(_key(path.read_text(encoding="utf-8").strip(), str(path)))
    return {key.key_id: key for key in keys}


def rotate() -> tuple[AuditKey, AuditKey]:
    """Retire the key file and write a new one: (old, new). Not for a key in the environment."""
    if os.environ.get(ENV_KEY):
        raise AuditKeyError(
            f"the audit key comes from {ENV_KEY}: rotate it there (move the old value to "
            f"{ENV_OLD_KEYS} and set a new one)"
        )
    old = current_key()
    retired = retired_dir() / old.key_id
    if not retired.exists():
        _write_private(retired, old.secret.decode("utf-8"))
    key_file().unlink()
    return old, current_key()
