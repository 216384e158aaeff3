"""CDISC ODM 1.3.2: the study's metadata, administration and every change, in one file.

`items` declares the ItemDefs from the forms' models, `writer` builds the document with
odmlib, `schema` validates it against the ODM 1.3.2 XML Schema that odmlib ships, and
`reader` replays a file's changes back into the forms' values (the round-trip check and the
start of an import).
"""
