"""Issue 9, observed case 1 across apps (R20.1, R16.2): a clerk account made by an agency's IT
officer does not pass the signing app's nor the registry's permission checks until the head
approves the role; the head's own grant passes at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vanban.accounts import selectors, services
from vanban.accounts.models import User
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.registry.rules import is_clerk
from vanban.signatures.services._common import may_register, may_sign

STRONG = "Bắc-Giang-2025!x"


@pytest.mark.django_db
def test_insiders_clerk_cannot_sign_or_register_until_approved(
        make_agency: Callable[..., Agency], make_user: Callable[..., User]) -> None:
    """R20.1, R16.2 (issue 9 case 1): the IT officer's new clerk cannot sign with the agency
    certificate, register a certificate, or register documents before the head approves."""
    agency = make_agency()
    head = make_user(agency, roles=[Role.HEAD])
    it = make_user(agency, roles=[Role.IT_OFFICER])
    made = services.staff_create(actor=it, agency=agency, username="vt_it", full_name="Văn thư",
                                 roles=[Role.CLERK], password=STRONG)
    clerk = User.objects.get(pk=made.pk)
    assert not may_sign(clerk, agency)
    assert not may_register(clerk, agency)
    assert not is_clerk(clerk, agency.pk)
    [pending] = selectors.role_requests_pending(head)
    services.role_request_decide(actor=head, request_id=pending.pk, approve=True)
    clerk = User.objects.get(pk=made.pk)
    assert may_sign(clerk, agency)
    assert is_clerk(clerk, agency.pk)
    own = services.staff_create(actor=head, agency=agency, username="vt_head",
                                full_name="Văn thư 2", roles=[Role.CLERK], password=STRONG)
    assert may_sign(User.objects.get(pk=own.pk), agency)
