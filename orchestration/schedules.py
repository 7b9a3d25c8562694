"""Schedules (and the jobs only they use)."""

JOBS: list = []
SCHEDULES: list = []
