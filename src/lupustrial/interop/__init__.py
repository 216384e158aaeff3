"""Exchange and archive formats, one exporter per standard (CDISC ODM; REDCap and FHIR next).

Each exporter takes plain values (the study's declared forms, the audit trail's entries, the
users and sites) and writes its standard; the web application's adapter (`edc.odm`) gathers
those values, so the formats never read the application's tables themselves.
"""
