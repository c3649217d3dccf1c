"""Witness cosignatures kept by the origin and checkpoints witnessed for peers (R14.3), both
append-only (docs/adr/0010)."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.audit import triggers


def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection)


def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_function")]
    operations = [
        migrations.CreateModel(
            name="Cosignature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("log", models.CharField(max_length=20)),
                ("witness", models.CharField(db_index=True, max_length=100)),
                ("size", models.BigIntegerField()),
                ("head", models.CharField(max_length=64)),
                ("checkpoint", models.TextField()),
                ("cosigned_at", models.CharField(max_length=40)),
                ("signature", models.TextField()),
                ("received_at", models.DateTimeField()),
            ],
            options={
                "ordering": ("log", "witness", "size"),
                "indexes": [models.Index(fields=["log", "witness", "size"],
                                         name="audit_cosig_lookup")],
            },
        ),
        migrations.CreateModel(
            name="WitnessedCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("origin", models.CharField(max_length=100)),
                ("log", models.CharField(max_length=20)),
                ("size", models.BigIntegerField()),
                ("head", models.CharField(max_length=64)),
                ("root", models.CharField(max_length=64)),
                ("key_pem", models.TextField()),
                ("checkpoint", models.TextField()),
                ("cosigned_at", models.CharField(max_length=40)),
                ("cosignature", models.TextField()),
                ("received_at", models.DateTimeField()),
            ],
            options={
                "ordering": ("origin", "log", "size"),
                "indexes": [models.Index(fields=["origin", "log", "size"],
                                         name="audit_witnessed_lookup")],
            },
        ),
        migrations.RunPython(up, down),
    ]
