# The search by issue dates reads the range of (agency, issued_date, id) (issue 13).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_search_text'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['agency', 'issued_date', 'id'],
                               name='document_agency_issued'),
        ),
    ]
