"""The folded search text of outgoing documents (issue 13, ADR 0017):
the column, its backfill, and on PostgreSQL a trigram index for ``LIKE '%word%'``."""

from typing import Any

from django.db import migrations, models

from vanban.core.searchable import (
    SEARCH_TEXT_HELP,
    search_text_backfill,
    trigram_index_create,
    trigram_index_drop,
)
from vanban.registry.core.search_text import document_search_parts as parts


def backfill(apps: Any, schema_editor: Any) -> None:
    search_text_backfill(apps.get_model("registry", "document"), parts)


def index(apps: Any, schema_editor: Any) -> None:
    trigram_index_create(schema_editor.connection, table="registry_document",
                         name="document_search_trgm")


def unindex(apps: Any, schema_editor: Any) -> None:
    trigram_index_drop(schema_editor.connection, name="document_search_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0006_document_filter_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False,
                                   help_text=SEARCH_TEXT_HELP),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
