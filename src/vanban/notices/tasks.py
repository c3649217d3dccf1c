"""The periodic job as a background task (``django_tasks``), for a worker's scheduler."""

from __future__ import annotations

from django_tasks import task

from vanban.notices.services import notices_run


@task()
def notices_run_task() -> dict[str, int]:
    """One pass of :func:`vanban.notices.services.notices_run`; what it wrote and mailed."""
    result = notices_run()
    return {"created": result.total, "mailed": result.mailed, "digests": result.digests}
