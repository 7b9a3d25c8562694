"""Dagster's console log for `taskvalue refresh`, less the line per step a failure left unrun.

After a failed step Dagster logs one ERROR line for every step downstream of it ("Dependencies
for step ... failed: [...]. Not executing."): sixty of them above the real error's stack trace
when an early step fails. The CLI counts them instead; `--verbose` prints them all.
"""

from __future__ import annotations

import logging

from dagster import InitLoggerContext, LoggerDefinition, colored_console_logger, logger

NOT_EXECUTING = "Not executing."


class UnrunStepLines(logging.Filter):
    """Drops Dagster's "Dependencies for step ... Not executing." lines, counting them."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Dependencies for step " in message and message.rstrip().endswith(NOT_EXECUTING):
            self.dropped += 1
            return False
        return True


def console_without_unrun_steps(unrun: UnrunStepLines) -> LoggerDefinition:
    """Dagster's colored console logger (same config: name, log_level) with `unrun` on it."""

    @logger(
        colored_console_logger.config_schema,
        description="Dagster's colored console logger, less the line per step a failure left unrun.",
    )
    def console(init_context: InitLoggerContext) -> logging.Logger:
        log = colored_console_logger.logger_fn(init_context)
        log.addFilter(unrun)
        return log

    return console
