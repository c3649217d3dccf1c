"""Database triggers that refuse UPDATE and DELETE on the event table (R14.3), and the genesis head.

An administrator with DDL rights can still drop a trigger; the hash chain and the signed seals
are what make such tampering visible (``vanban audit verify``).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.audit import triggers


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection)
    head = apps.get_model("audit", "AuditHead")
    head.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": "0" * 64})


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
