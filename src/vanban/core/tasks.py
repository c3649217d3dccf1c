"""Operator diagnostics for the background worker: a task that proves a worker picks up work."""

from __future__ import annotations

import os
import socket

from django_tasks import task


@task()
def worker_ping(token: str) -> dict[str, str | int]:
    """Echo ``token`` with the worker's host and process id (``vanban worker_check``)."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
