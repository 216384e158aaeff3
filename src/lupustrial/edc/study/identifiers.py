"""The two names a subject has, in formats that can never be mistaken for each other.

A screening number is ``S-`` and three to six digits (``S-001``), given at registration; a
subject ID is the site code (two to ten capitals or digits, beginning with a capital), a
hyphen and three or four digits (``TKY-001``), assigned at enrolment. A site code has at least
two characters, so no subject ID has the screening number's one-letter prefix.
"""

from __future__ import annotations

import re

SCREENING_NUMBER = re.compile(r"S-\d{3,6}")
SITE_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
SUBJECT_ID = re.compile(rf"{SITE_CODE.pattern}-\d{{3,4}}")
