"""The PostgreSQL registration function: one round trip under the head and counter locks."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.registry.services import pgnumbering


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    pgnumbering.install(schema_editor.connection)


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    pgnumbering.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("audit", "0003_append_function")]
    operations = [migrations.RunPython(up, down)]
