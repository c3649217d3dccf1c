"""The folded search text of work files (issue 13, ADR 0017):
the column, its backfill, and on PostgreSQL a trigram index for ``LIKE '%word%'``."""

from typing import Any

from django.db import migrations, models

from vanban.core.searchable import (
    SEARCH_TEXT_HELP,
    search_text_backfill,
    trigram_index_create,
    trigram_index_drop,
)
from vanban.workflow.search_text import work_file_search_parts as parts


def backfill(apps: Any, schema_editor: Any) -> None:
    search_text_backfill(apps.get_model("workflow", "workfile"), parts)


def index(apps: Any, schema_editor: Any) -> None:
    trigram_index_create(schema_editor.connection, table="workflow_workfile",
                         name="work_file_search_trgm")


def unindex(apps: Any, schema_editor: Any) -> None:
    trigram_index_drop(schema_editor.connection, name="work_file_search_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0003_line_withdrawn'),
    ]

    operations = [
        migrations.AddField(
            model_name="workfile",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False,
                                   help_text=SEARCH_TEXT_HELP),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
