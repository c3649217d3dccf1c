"""The installation boots: settings load, migrations apply, the audit chain starts at genesis."""

import pytest
from django.db import connection

from vanban.audit.services import audit_append


@pytest.mark.django_db
def test_first_event_links_to_genesis():
    """R14.3: the first event of a fresh installation links to the genesis hash."""
    event = audit_append(actor=None, action="smoke.test", data={"tên": "Bắc Giang"})
    assert event.seq == 1
    assert event.prev_hash == "0" * 64
    assert len(event.hash) == 64


@pytest.mark.django_db(transaction=True)
def test_database_refuses_update_of_events():
    """R14.3: the database itself refuses to rewrite an audit event."""
    audit_append(actor=None, action="smoke.test")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET action = 'forged'")
