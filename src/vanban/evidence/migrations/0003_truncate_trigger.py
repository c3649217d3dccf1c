"""Also refuse TRUNCATE of the evidence tables on PostgreSQL (R14.3)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.evidence import triggers


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_append_only_triggers")]
    operations = [migrations.RunPython(up, migrations.RunPython.noop)]
