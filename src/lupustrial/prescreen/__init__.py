"""Pre-screening an OMOP CDM v5.4 database for study candidates.

The protocol layer declares the criteria and their numbers; this package asks the records
the questions records can answer, as one ibis expression per criterion, on DuckDB (default),
PySpark or PostgreSQL, and says for every person met / not met / unknown with the record
that decided it.
"""
