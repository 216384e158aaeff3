"""Backup and restore of the whole database with its audit evidence (`lupustrial backup`)."""
