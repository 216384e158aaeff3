"""The study itself: subjects, screening, consent, enrolment, visits, eCRFs and data quality."""
