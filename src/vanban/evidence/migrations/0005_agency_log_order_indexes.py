"""An agency's records in log order, one index per side (issue 15, ``bench.evidence_lists``).

``(sender, index)`` and ``(recipient, index)`` replace the single-column indexes on ``sender`` and
``recipient`` (made first, so no moment lacks one). SQLite rebuilds the table to drop a column's
index, which drops its append-only triggers: they are installed again after the rebuild, either
way the migration runs (idempotent).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vanban.evidence import triggers


def reinstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0004_api_list_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='evidencerecord',
            index=models.Index(fields=['sender', 'index'], name='evidence_sender_idx'),
        ),
        migrations.AddIndex(
            model_name='evidencerecord',
            index=models.Index(fields=['recipient', 'index'], name='evidence_recipient_idx'),
        ),
        migrations.RunPython(migrations.RunPython.noop, reinstall),  # after a backward rebuild
        migrations.AlterField(
            model_name='evidencerecord',
            name='recipient',
            field=models.CharField(max_length=35),
        ),
        migrations.AlterField(
            model_name='evidencerecord',
            name='sender',
            field=models.CharField(max_length=35),
        ),
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
