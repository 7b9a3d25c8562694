"""Sensors (and the jobs only they use)."""

JOBS: list = []
SENSORS: list = []
