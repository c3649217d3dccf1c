"""``vanban worker_check``: enqueue a ping and wait for a background worker to answer it."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from vanban.core.tasks import worker_ping


class Command(BaseCommand):
    help = "Kiểm tra tiến trình nền / Check that a background worker runs tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        token = secrets.token_hex(8)
        result = worker_ping.enqueue(token)
        deadline = time.monotonic() + options["timeout"]
        while result.status not in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            if time.monotonic() > deadline:
                raise CommandError(
                    "Không có tiến trình nền nào xử lý tác vụ. / No worker picked up the task."
                )
            time.sleep(0.2)
            result.refresh()
        value = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
        if value is None or value["token"] != token:
            raise CommandError("Tác vụ kiểm tra thất bại. / The check task failed.")
        backend = type(worker_ping.get_backend()).__name__
        self.stdout.write(f"OK: worker {value['host']} pid {value['pid']} ({backend})")
