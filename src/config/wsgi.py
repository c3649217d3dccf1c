"""WSGI entry point for waitress (embedded) or any WSGI server behind a reverse proxy.

The umask is narrowed first, so the database, blobs and keys this process creates are readable
by the service account only (R14.3), whatever the server's own umask.

Once the application is built, what the start-up left is collected and every object alive then
(Django, the URL resolver, the serializers, the schema: ~160,000 of them) is frozen into the
collector's permanent generation: they live as long as the worker, and without this each full
collection rescans them all, a pause that lands inside some request (the staff list's p95 at
1,000,000 documents, issue 15 bench). Each request's own garbage is still collected as usual.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

from vanban.core.filemodes import private_umask

private_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()
gc.collect()
gc.freeze()
