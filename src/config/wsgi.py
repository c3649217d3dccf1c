"""WSGI entry point for waitress (embedded) or any WSGI server behind a reverse proxy.

The umask is narrowed first, so the database, blobs and keys this process creates are readable
by the service account only (R14.3), whatever the server's own umask.
"""

import os

from django.core.wsgi import get_wsgi_application

from vanban.core.filemodes import private_umask

private_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()
