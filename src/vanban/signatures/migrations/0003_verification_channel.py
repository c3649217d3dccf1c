# A verification is bound to the channel it came through (ADR 0011).
#
# Existing records: the command line's own checks (received_via "cli") are known to be "cli";
# every other record was written with received_via "hub" whether the file came through this
# installation's hub or from a peer, so its channel is not known and it becomes "legacy".
# No lookup asks for "legacy": such a file is verified again, under its real channel, the next
# time the inbox or the arrival task looks for it (its bytes are in the blob store). Registered
# entries keep pointing at the record they were registered with.

from django.db import migrations, models


def fill_channel(apps, schema_editor):
    verification = apps.get_model("signatures", "Verification")
    verification.objects.filter(received_via="cli").update(channel="cli")


class Migration(migrations.Migration):

    dependencies = [
        ('signatures', '0002_verification'),
    ]

    operations = [
        migrations.AddField(
            model_name='verification',
            name='channel',
            field=models.CharField(choices=[('hub', 'Trục liên thông của hệ thống này'), ('federated', 'Liên thông từ hệ thống khác'), ('paper', 'Bản giấy quét khi đến'), ('mail', 'Thư điện tử công vụ'), ('cli', 'Kiểm tra bằng dòng lệnh'), ('legacy', 'Trước khi ghi kênh (không dùng lại)')], default='legacy', max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='verification',
            name='peer',
            field=models.CharField(blank=True, default='', help_text='The peer installation, for the federated channel', max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(fill_channel, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='verification',
            name='verification_once_per_document',
        ),
        migrations.AddConstraint(
            model_name='verification',
            constraint=models.UniqueConstraint(fields=('blob', 'sender', 'path', 'channel', 'peer'), name='verification_once_per_channel'),
        ),
    ]
