"""Database triggers that refuse UPDATE and DELETE on the evidence tables (R14.3), and the head
row that numbers the records.

An administrator with DDL rights can still drop a trigger; the Merkle tree and the signed tree
heads are what make such tampering visible (``vanban evidence verify``).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.evidence import triggers


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection)
    head = apps.get_model("evidence", "EvidenceHead")
    head.objects.get_or_create(pk=1, defaults={"size": 0})


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
