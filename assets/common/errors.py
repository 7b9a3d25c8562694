"""Errors that tell the user which file, row and column is wrong and what to do."""

from __future__ import annotations


class TaskvalueError(Exception):
    """Base class: the message is written for the person running the pipeline."""


class SettingError(TaskvalueError, ValueError):
    """A setting (an environment variable) has a value it cannot take; a ValueError for pydantic."""


class SourceFormatError(TaskvalueError):
    """A source file does not have the published layout."""

    def __init__(self, file: str, message: str, *, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = file, row, column
        where = [f"file {file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class AcquireError(TaskvalueError):
    """A file could not be obtained; the message says how to get it by hand."""
