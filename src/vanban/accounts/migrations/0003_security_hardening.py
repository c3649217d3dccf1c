"""Issue 9: sealed TOTP secrets, hashed expiring API tokens, per-client sign-in throttling,
pending role requests and account notices.

Existing TOTP secrets are sealed in place under the master key (``vanban.core.secretbox``).
Existing API tokens of the former plain-token table are dropped, not hashed: every copy of the
database made so far (backups included) holds them in clear, so keeping them valid would keep
those copies useful to whoever has one. Clients sign in again at ``/api/v1/auth/token/``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TOTP_PURPOSE = "accounts.totp"


def seal_totp_secrets(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Encrypt every TOTP secret still stored in clear."""
    from vanban.core.secretbox import is_sealed, seal

    device_model = apps.get_model("accounts", "TOTPDevice")
    for device in device_model.objects.using(schema_editor.connection.alias).all():
        if not is_sealed(device.sealed_secret):
            device.sealed_secret = seal(device.sealed_secret.encode("ascii"),
                                        purpose=TOTP_PURPOSE)
            device.save(update_fields=["sealed_secret"])


def drop_plain_tokens(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Empty the former plain-text token table when an older installation has it."""
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_constraints'),
    ]

    operations = [
        migrations.RenameField(
            model_name='totpdevice',
            old_name='secret',
            new_name='sealed_secret',
        ),
        migrations.AlterField(
            model_name='totpdevice',
            name='sealed_secret',
            field=models.CharField(max_length=255),
        ),
        migrations.RunPython(seal_totp_secrets, migrations.RunPython.noop),
        migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop),
        migrations.CreateModel(
            name='AccountNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('kind', models.CharField(max_length=40)),
                ('text_vi', models.CharField(max_length=500)),
                ('text_en', models.CharField(max_length=500)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ('-at', '-pk'),
            },
        ),
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('prefix', models.CharField(max_length=16)),
                ('label', models.CharField(blank=True, max_length=100)),
                ('created_at', models.DateTimeField()),
                ('created_ip', models.CharField(blank=True, max_length=45)),
                ('expires_at', models.DateTimeField()),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ('-created_at', '-pk'),
            },
        ),
        migrations.CreateModel(
            name='LoginThrottle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('account_ip', 'account_ip'), ('ip', 'ip')], max_length=10)),
                ('username', models.CharField(blank=True, max_length=150)),
                ('ip', models.CharField(blank=True, max_length=45)),
                ('failures', models.PositiveIntegerField(default=0)),
                ('locks', models.PositiveIntegerField(default=0)),
                ('locked_until', models.DateTimeField(blank=True, null=True)),
                ('last_failure_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('scope', 'username', 'ip'), name='login_throttle_once')],
            },
        ),
        migrations.CreateModel(
            name='RoleRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('province_admin', 'province_admin'), ('head', 'head'), ('delegate', 'delegate'), ('clerk', 'clerk'), ('specialist', 'specialist'), ('onestop', 'onestop'), ('it_officer', 'it_officer'), ('security_officer', 'security_officer')], max_length=30)),
                ('state', models.CharField(choices=[('pending', 'pending'), ('approved', 'approved'), ('refused', 'refused'), ('withdrawn', 'withdrawn')], default='pending', max_length=10)),
                ('requested_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.CharField(blank=True, max_length=500)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_requests', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ('requested_at', 'pk'),
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'pending')), fields=('user', 'role'), name='role_request_pending_once')],
            },
        ),
    ]
