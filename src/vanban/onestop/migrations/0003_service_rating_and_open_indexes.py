"""Ratings of the service get their own table (until now only in the audit log, from which the
existing ones are copied), and partial indexes over the open dossiers for the queues' counts."""

import json
from typing import Any

import django.db.models.deletion
import vanban.core.clock
from django.conf import settings
from django.db import migrations, models


def copy_ratings(apps: Any, schema_editor: Any) -> None:
    """The ratings already given, from their audit events (the log itself is untouched)."""
    audit_event = apps.get_model("audit", "AuditEvent")
    rating = apps.get_model("onestop", "ServiceRating")
    dossier = apps.get_model("onestop", "Dossier")
    for event in audit_event.objects.filter(action="onestop.portal_rating",
                                            object_type="onestop.dossier").order_by("seq"):
        data = json.loads(event.data or "{}")
        if (not event.object_id.isdigit() or data.get("score") not in range(1, 6)
                or not dossier.objects.filter(pk=int(event.object_id)).exists()):
            continue
        rating.objects.get_or_create(dossier_id=int(event.object_id), defaults={
            "score": data["score"], "comment": data.get("comment", ""),
            "created_at": event.at})


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_witnesses'),
        ('directory', '0004_recipient_group'),
        ('onestop', '0002_dossier_clock_rules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ServiceRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.PositiveSmallIntegerField(verbose_name='Mức đánh giá')),
                ('comment', models.TextField(blank=True, verbose_name='Nhận xét')),
                ('created_at', models.DateTimeField(default=vanban.core.clock.now, verbose_name='Đánh giá lúc')),
            ],
            options={
                'verbose_name': 'Đánh giá sự phục vụ',
                'verbose_name_plural': 'Đánh giá sự phục vụ',
                'ordering': ('-created_at', '-id'),
            },
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('state__in', ['accepted', 'fee_due', 'intake_supplement', 'processing', 'refused_after_appraisal', 'result_ready', 'submitted', 'supplement_requested', 'withdrawal_requested'])), fields=['desk', 'state', 'due_at'], name='onestop_dossier_open'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('state__in', ['accepted', 'fee_due', 'intake_supplement', 'processing', 'refused_after_appraisal', 'result_ready', 'submitted', 'supplement_requested', 'withdrawal_requested'])), fields=['procedure', 'state', 'due_at'], name='onestop_dossier_open_proc'),
        ),
        migrations.AddField(
            model_name='servicerating',
            name='dossier',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='rating', to='onestop.dossier', verbose_name='Hồ sơ'),
        ),
        migrations.AddConstraint(
            model_name='servicerating',
            constraint=models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='onestop_rating_score_1_5'),
        ),
        migrations.RunPython(copy_ratings, migrations.RunPython.noop),
    ]
