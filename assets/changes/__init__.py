"""Registry of this layer's assets and checks, collected by orchestration/definitions.py."""

ASSETS: list = []
CHECKS: list = []
