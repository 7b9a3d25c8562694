"""Matching inventory tasks onto O*NET task statements."""
