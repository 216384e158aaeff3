"""The safety notifications as one scheduled job: what to send now, each at most once."""

from __future__ import annotations

import datetime as dt

from lupustrial.edc.safety import notifications


def send_notifications(now: dt.datetime) -> dict[str, int]:
    """Send what is due at ``now``; return how many of each kind were sent.

    Safe to run as often as wished: every notification has a key and is sent once.
    """
    return {"overdue_visits": notifications.send_overdue_digest(now)}
