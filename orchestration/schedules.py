"""Schedules (and the jobs only they use).

- O*NET publishes a database release about every quarter: check for one quarterly.
- OES publishes the May estimates once a year, in spring (late March to April): check every Monday
  of April and May.
- The inventory changes every day: refresh the inventory and everything downstream of it daily (the
  inventory sensor in sensors.py also reacts to file changes within minutes).
- Everything else (sources, staging, value model) is rebuilt daily too, an hour earlier, from the
  configured releases as cached (no download unless revalidation is on; about 40 s), so every asset
  stays inside the global freshness policy (freshness.py) and a newly configured release or a
  corrected mirror reaches the warehouse by the next morning.
Schedules start running as soon as a Dagster daemon runs (`dagster dev` starts one).
"""

from dagster import (
    DefaultScheduleStatus,
    ScheduleDefinition,
    in_process_executor,
    job,
)

from orchestration.jobs import refresh_job
from orchestration.release_checks import check_oes_release, check_onet_release
from orchestration.sensors import inventory_refresh_job


@job(
    description="Is an O*NET release newer than TASKVALUE_ONET_RELEASE published?",
    executor_def=in_process_executor,
)
def onet_release_check_job():
    check_onet_release()


@job(
    description="Is an OES vintage newer than TASKVALUE_OES_VINTAGE published?",
    executor_def=in_process_executor,
)
def oes_release_check_job():
    check_oes_release()


onet_release_check_schedule = ScheduleDefinition(
    name="onet_release_check_schedule",
    job=onet_release_check_job,
    cron_schedule="0 6 15 3,6,9,12 *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Quarterly (15 Mar/Jun/Sep/Dec, 06:00 UTC): look for a new O*NET release.",
)
oes_release_check_schedule = ScheduleDefinition(
    name="oes_release_check_schedule",
    job=oes_release_check_job,
    cron_schedule="0 6 * 4,5 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Yearly in spring (every Monday of April and May, 06:00 UTC): look for the new OES vintage.",
)
daily_inventory_refresh_schedule = ScheduleDefinition(
    name="daily_inventory_refresh_schedule",
    # the same job the inventory sensor requests: the inventory and everything downstream of it
    job=inventory_refresh_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily at 05:00 UTC: refresh the inventory, its matches and coverage, and publish.",
)

daily_full_refresh_schedule = ScheduleDefinition(
    name="daily_full_refresh_schedule",
    job=refresh_job,
    # an hour before the inventory refresh (05:00), so the two never write the work DB at once
    cron_schedule="0 4 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily at 04:00 UTC: rebuild everything from the configured (cached) releases and publish, "
    "so no asset goes stale.",
)

JOBS: list = [onet_release_check_job, oes_release_check_job]
SCHEDULES: list = [
    onet_release_check_schedule,
    oes_release_check_schedule,
    daily_inventory_refresh_schedule,
    daily_full_refresh_schedule,
]
