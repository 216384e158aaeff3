"""This study, declared: its configuration, its eligibility criteria and the screening decision.

The protocol layer imports only the clinical layer (and pydantic): it never touches a
database, a web request or a file. Every criterion of the public registration is a rule with
an id, the registration's own wording, the data it needs and a three-valued evaluation.
"""
