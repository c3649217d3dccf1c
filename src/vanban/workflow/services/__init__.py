"""Writes of the workflow: assignment and progress (R8.1), opinions (R14.2), work files (R12.1).
Each runs in one transaction with its audit event."""

from vanban.workflow.services.assignments import (
    LineInput,
    assignment_create,
    assignment_forward,
    assignment_reassign,
    incoming_complete,
    incoming_start,
    line_done,
)
from vanban.workflow.services.opinions import opinion_write
from vanban.workflow.services.workfiles import (
    WorkFileInput,
    work_file_add,
    work_file_close,
    work_file_create,
    work_file_remove,
    work_file_update,
)

__all__ = [
    "LineInput",
    "WorkFileInput",
    "assignment_create",
    "assignment_forward",
    "assignment_reassign",
    "incoming_complete",
    "incoming_start",
    "line_done",
    "opinion_write",
    "work_file_add",
    "work_file_close",
    "work_file_create",
    "work_file_remove",
    "work_file_update",
]
