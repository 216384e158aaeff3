"""Scheduled work, run by one command (`lupustrial jobs run`) that cron or a systemd timer calls."""
