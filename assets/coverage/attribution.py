"""The source attributions every report ends with (O*NET is CC BY 4.0; BLS data is public domain)."""

from __future__ import annotations

ONET_ATTRIBUTION = (
    "This site incorporates information from O*NET Web Services by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA). O*NET® is a trademark of USDOL/ETA. "
    "O*NET database content is licensed under Creative Commons Attribution 4.0 International (CC BY 4.0)."
)

BLS_ATTRIBUTION = (
    "Employment and wages: U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics "
    "(OEWS), public domain."
)
