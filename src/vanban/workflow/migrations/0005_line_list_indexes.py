"""A person's and a unit's open lines by deadline (issue 13): "my work" and the overdue page
read one page of a holder's lines from these, not every open document of the agency."""

from django.conf import settings
from django.db import migrations, models

OPEN = models.Q(("done_at__isnull", True), ("withdrawn_at__isnull", True))


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0004_recipient_group"),
        ("incoming", "0004_search_text"),
        ("workflow", "0004_search_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assignmentline",
            index=models.Index(condition=OPEN, fields=["user", "deadline", "id"],
                               name="line_user_open_deadline"),
        ),
        migrations.AddIndex(
            model_name="assignmentline",
            index=models.Index(condition=OPEN, fields=["unit", "deadline", "id"],
                               name="line_unit_open_deadline"),
        ),
    ]
