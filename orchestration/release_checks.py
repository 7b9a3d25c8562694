"""Release checks: is a newer O*NET release or OES vintage published than the one configured?

They probe the publishers' download URLs (HEAD) for the next release. They are ops, not assets, so
they never run inside refresh_job. Offline, or when bls.gov blocks the request, the run fails with
a message that says what could not be checked and where to look by hand; the schedule and the
daemon are unaffected.
"""

import requests
from dagster import Config, Failure, MetadataValue, OpExecutionContext, op

from assets.ingest.catalog import BLS_OES, ONET_DB
from assets.ingest.http import user_agent
from orchestration.resources import TaskvalueSettings

ONET_RELEASES_PAGE = "https://www.onetcenter.org/db_releases.html"
OES_TABLES_PAGE = "https://www.bls.gov/oes/tables.htm"


class ReleaseCheckConfig(Config):
    base_url: str = ""  # empty: the publisher's download location (tests point this elsewhere)
    timeout_s: float = 20.0


def next_onet_releases(release: str) -> list[str]:
    """Candidates for the next O*NET release: 29.0 -> 29.1 and 30.0."""
    major, minor = (int(x) for x in release.split("."))
    return [f"{major}.{minor + 1}", f"{major + 1}.0"]


def onet_archive_url(base: str, release: str) -> str:
    major, minor = release.split(".")
    return f"{base}/db_{major}_{minor}_text.zip"


def oes_archive_url(base: str, year: int) -> str:
    return f"{base}/oesm{year % 100:02d}nat.zip"


def _probe(url: str, settings: TaskvalueSettings, timeout: float, manual: str) -> bool:
    """True when `url` exists, False on 404; raises Failure with a clear message otherwise."""
    try:
        resp = requests.head(
            url,
            timeout=timeout,
            allow_redirects=True,
            headers={"User-Agent": user_agent(settings.contact_email)},
        )
    except requests.RequestException as e:
        raise Failure(
            description=(
                f"Could not check for a new release: {url} is unreachable ({type(e).__name__}). "
                f"The machine may be offline. Check by hand at {manual}."
            ),
            metadata={"url": MetadataValue.url(url), "error": MetadataValue.text(str(e)[:500])},
            allow_retries=False,
        ) from None
    if resp.status_code in (200, 301, 302):
        return True
    if resp.status_code == 404:
        return False
    raise Failure(
        description=(
            f"Could not check for a new release: {url} answered HTTP {resp.status_code}"
            + (" (the server blocks scripted requests)" if resp.status_code == 403 else "")
            + f". Check by hand at {manual}."
        ),
        metadata={"url": MetadataValue.url(url), "status": MetadataValue.int(resp.status_code)},
        allow_retries=False,
    )


def _newer_release(release: str, configured: str, advice: str) -> Failure:
    """The run fails when a newer release is out: the configuration is stale, and a red run stands out
    in the run list and reaches whatever alerts on failures (a green run with a warning in its log goes
    unnoticed; Dagster has no public API to tag a run from inside it)."""
    return Failure(
        description=f"{release} is published (configured: {configured}). {advice}",
        metadata={"newer_release": release, "configured": configured},
        allow_retries=False,
    )


@op(description="Checks whether an O*NET database release newer than the configured one is published.")
def check_onet_release(
    context: OpExecutionContext, config: ReleaseCheckConfig, settings: TaskvalueSettings
) -> dict:
    base = config.base_url or ONET_DB
    found = []
    for candidate in next_onet_releases(settings.onet_release):
        url = onet_archive_url(base, candidate)
        if _probe(url, settings, config.timeout_s, ONET_RELEASES_PAGE):
            found.append(candidate)
    if found:
        raise _newer_release(
            f"O*NET {found[-1]}",
            settings.onet_release,
            f"Set TASKVALUE_ONET_RELEASE={found[-1]} and run refresh_job.",
        )
    context.log.info(f"O*NET {settings.onet_release} is still the latest release.")
    context.add_output_metadata({"configured": settings.onet_release, "newer_releases": "none"})
    return {"configured": settings.onet_release, "newer": []}


@op(description="Checks whether an OES May vintage newer than the configured one is published.")
def check_oes_release(
    context: OpExecutionContext, config: ReleaseCheckConfig, settings: TaskvalueSettings
) -> dict:
    base = config.base_url or BLS_OES
    candidate = settings.oes_vintage + 1
    available = _probe(oes_archive_url(base, candidate), settings, config.timeout_s, OES_TABLES_PAGE)
    if available:
        raise _newer_release(
            f"OES May {candidate}",
            str(settings.oes_vintage),
            f"Set TASKVALUE_OES_VINTAGE={candidate} TASKVALUE_OES_PREVIOUS_VINTAGE={settings.oes_vintage} "
            "and run refresh_job.",
        )
    context.log.info(f"OES May {settings.oes_vintage} is still the latest vintage.")
    context.add_output_metadata({"configured": settings.oes_vintage, "newer_vintage": "none"})
    return {"configured": settings.oes_vintage, "newer": []}
