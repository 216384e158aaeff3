"""Monitoring support: SDV progress, query ageing and the log of monitoring visits."""
