"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) of opinions (R14.2).

An administrator with DDL rights can still drop them; the audit event that vouches for each
opinion's hash is what makes such an edit visible (``vanban audit verify``, docs/adr/0008).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.workflow import triggers


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection)


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
