"""The study dataset: raw study records, their derivation, and versioned snapshots.

This layer sits between the sources (the web application's database, the demo study) and
the analysis: the sources fill `records.StudyRecords`, `snapshot.write_snapshot` freezes them
into tidy tables with a manifest, and the analysis reads only such a snapshot.
"""
