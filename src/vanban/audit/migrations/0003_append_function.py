"""The PostgreSQL audit append function: one round trip under the head lock (ADR 0003)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.audit import pgappend


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    pgappend.install(schema_editor.connection)


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    pgappend.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(up, down)]
