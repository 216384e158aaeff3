"""Lupus instruments as pure, typed functions.

This layer imports only the standard library and pydantic: no database, no web request,
no file. Every function takes validated plain values and returns a result that explains
itself (score, contributing items, rule cited, what was missing).
"""
