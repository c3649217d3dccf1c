import pytest
from django.test import override_settings
from vanban.audit.services import audit_append, audit_seal, audit_verify

@pytest.mark.django_db
def test_x():
    with override_settings(VANBAN_AUDIT_SEAL_EVERY=3):
        for i in range(10):
            audit_append(actor=None, action="x", data={"i": i})
    audit_seal(actor=None)
    r = audit_verify(actor=None)
    print(r)
    assert r.ok
