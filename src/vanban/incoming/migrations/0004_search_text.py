"""The folded search text of incoming register lines (issue 13, ADR 0017):
the column, its backfill, and on PostgreSQL a trigram index for ``LIKE '%word%'``."""

from typing import Any

from django.db import migrations, models

from vanban.core.searchable import (
    SEARCH_TEXT_HELP,
    search_text_backfill,
    trigram_index_create,
    trigram_index_drop,
)
from vanban.incoming.search_text import incoming_search_parts as parts


def backfill(apps: Any, schema_editor: Any) -> None:
    search_text_backfill(apps.get_model("incoming", "incomingdocument"), parts)


def index(apps: Any, schema_editor: Any) -> None:
    trigram_index_create(schema_editor.connection, table="incoming_incomingdocument",
                         name="incoming_search_trgm")


def unindex(apps: Any, schema_editor: Any) -> None:
    trigram_index_drop(schema_editor.connection, name="incoming_search_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('incoming', '0003_due_date_from_lead'),
    ]

    operations = [
        migrations.AddField(
            model_name="incomingdocument",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False,
                                   help_text=SEARCH_TEXT_HELP),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
