"""Confidence-band figures as the matching benches print them."""

from __future__ import annotations


def bands_text(bands: dict[str, dict]) -> str:
    """Rank-1 right per confidence band: 'medium 5/6, low 22/57'."""
    return ", ".join(f"{b} {v['right']}/{v['n']}" for b, v in bands.items())
