"""``vanban serve``: the embedded web server (waitress), static files through whitenoise."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Chạy máy chủ web (waitress) / Run the web server (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        # Static files first: whitenoise indexes STATIC_ROOT when the application loads.
        call_command("collectstatic", interactive=False, verbosity=0)
        from waitress import serve

        from config.wsgi import application

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"vanban đang chạy tại / is serving at {url}")
        # Waitress reads a whole body before the application runs: refuse oversized ones (413)
        # there, from Content-Length or while de-chunking, so they never reach the disk.
        serve(application, host=options["host"], port=options["port"],
              threads=options["threads"], ident="vanban",
              max_request_body_size=int(settings.VANBAN_MAX_REQUEST_BYTES))
