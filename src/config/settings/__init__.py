"""Settings. ``config.settings.base`` holds everything; the embedded default and production differ
only by environment variables (``VANBAN_HOME``, ``DATABASE_URL``, ``TASKS_URL``, ...)."""
