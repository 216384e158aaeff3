"""Adapters that compute over datasets: batch scoring, statistics."""
