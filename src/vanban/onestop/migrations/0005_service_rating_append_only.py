"""A rating, once given, can be neither changed nor removed, by the database itself."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.onestop import triggers


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection, triggers.RATING_GUARDS)


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.drop_ratings(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("onestop", "0004_forwarding_marker"),
    ]

    operations = [
        migrations.RunPython(up, down),
    ]
