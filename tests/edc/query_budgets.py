"""SQL queries each main page may run: the one place the budgets are written (issue 19).

The issue's aim is at most 8 queries for the dashboard, subject, visit and form pages and at
most 12 for a form save, session, user and staff profile included. A budget above the aim is
today's measured count on the demo study (a regression still fails); lower it as the page is
reduced. Revisit these when a new dashboard widget or a new per-request read arrives;
`docs/web.md` explains what each page costs.
"""

from __future__ import annotations

QUERY_BUDGETS: dict[str, int] = {
    # Every signed-in request's floor: the session, then the user with their profile,
    # credential and sites in one statement (`accounts.signed_in`); the login page adds none.
    "login, signed in": 2,
    # The dashboard's lists are kept until the audit trail moves (`study.by_trail`): the
    # session, the user with their profile and sites, and the trail's head (issue 19).
    "home": 3,
    # After a change (the trail moved), once per user: one read each of the session, the user
    # with their profile and sites, the trail's head, the subjects (with names, sites and
    # open deviations), their visits, forms, consents, signatures and unclosed data queries,
    # the decided suggestions, the safety reports awaiting submission and the adverse events
    # whose open reporting clocks the dashboard lists (issue 16; two more, versions and first
    # reports, only when there are events).
    "home, after a change": 12,
    # Kept like the dashboard, until the subject's own latest trail entry or the study's
    # latest set-up entry moves (`study.by_trail.subject_head`, one query): session, user with
    # profile and sites, that read.
    "subject": 3,
    "subject, may lock": 3,
    # After a change to the subject (or to sites and accounts): that read, the subject (with
    # its site and name), its visits with their forms (one statement, `record_rows`), its
    # consents, signatures and adverse events (issue 13: their own records).
    "subject, after a change": 8,
    # The data manager, who may lock the casebook, also reads the open queries the lock
    # warning lists (issue 18): one more table.
    "subject, may lock, after a change": 9,
    "visit": 7,
    "form": 7,
    # The session, the signed-in user with their profile and sites; the visit (with its
    # subject and site) and the form in one locked read; the trail's head locked; then the
    # form's row, its version (issue 13), the trail's entries and the head's move in one
    # statement (`edc.statements.run_together`). The test's transaction adds the savepoint
    # and its release around the save (5 statements on a server).
    "form save": 7,
    # SQLite, the embedded default, has no data-modifying WITH: the four writes are four
    # statements there.
    "form save, SQLite": 10,
    # Issue 18's overview pages: session, user with profile and sites, then the visits, forms and
    # unclosed queries (grid) or the month's visits (calendar), whatever the number of subjects.
    "status grid": 5,
    "calendar": 3,
}
"""Page name -> the most SQL queries one request of it may run on the demo study."""
