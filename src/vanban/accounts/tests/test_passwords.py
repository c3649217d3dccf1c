"""Password policy (R20.2): strength, periodic change, admin-set passwords changed at first use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from vanban.accounts import policy, services
from vanban.accounts.models import User
from vanban.accounts.tests.conftest import PASSWORD, STRONG, T0
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("weak", "hint"), [
    ("Ab1!", "10"),
    ("12345678901234", "một chữ hoa"),
    ("matkhaucuatoi2025", "một ký tự đặc biệt"),
    ("Password123", "quá phổ biến"),
])
def test_weak_password_refused_with_vietnamese_message(head_x: User, agency_x: Agency,
                                                       weak: str, hint: str) -> None:
    """R20.2: a weak initial password is refused, explained in Vietnamese (and English)."""
    with pytest.raises(ValidationFailed) as caught:
        services.staff_create(actor=head_x, agency=agency_x, username="nvb", full_name="Nguyễn B",
                              roles=[Role.CLERK], password=weak)
    assert hint in caught.value.vi
    assert caught.value.en  # English once the catalogue is produced
    assert caught.value.code == "weak_password"
    assert not User.objects.filter(username="nvb").exists()


def test_length_rule_speaks_vietnamese() -> None:
    """R20.2: the length rule's own validator explains itself in Vietnamese."""
    from django.core.exceptions import ValidationError

    from vanban.accounts.passwords import MinimumLengthValidator

    with pytest.raises(ValidationError) as caught:
        MinimumLengthValidator(min_length=10).validate("Ab1!")
    assert caught.value.messages == ["Mật khẩu quá ngắn, phải có ít nhất 10 ký tự."]


def test_strong_password_accepted(head_x: User, agency_x: Agency) -> None:
    """R20.2: a password with length and every character class passes."""
    user = services.staff_create(actor=head_x, agency=agency_x, username="nvb",
                                 full_name="Nguyễn Văn B", roles=[Role.CLERK], password=STRONG)
    assert user.check_password(STRONG)


def test_password_change_rules(clerk_x: User) -> None:
    """R20.2: the current password is checked, the new one must differ and be strong."""
    with pytest.raises(ValidationFailed, match="current password"):
        services.password_change(user=clerk_x, old_password="sai", new_password=STRONG)
    with pytest.raises(ValidationFailed) as same:
        services.password_change(user=clerk_x, old_password=PASSWORD, new_password=PASSWORD)
    assert same.value.code == "password_unchanged"
    with pytest.raises(ValidationFailed) as weak:
        services.password_change(user=clerk_x, old_password=PASSWORD, new_password="abcdefgh")
    assert "Mật khẩu" in weak.value.vi


def test_password_change_resets_age_and_is_audited(clerk_x: User) -> None:
    """R20.2, R16.2: a change restarts the age, clears the forced change, leaves an event without
    any password material."""
    clerk_x.must_change_password = True
    clerk_x.save()
    later = clock.now() + timedelta(days=10)
    with clock.frozen(later):
        services.password_change(user=clerk_x, old_password=PASSWORD, new_password=STRONG)
    clerk_x.refresh_from_db()
    assert clerk_x.password_changed_at == later
    assert not clerk_x.must_change_password
    assert clerk_x.check_password(STRONG)
    event = AuditEvent.objects.get(action="password.changed")
    assert event.actor_id == clerk_x.pk
    assert STRONG not in event.data
    assert PASSWORD not in event.data


def test_password_expires_after_max_age(make_user: Callable[..., User], agency_x: Agency) -> None:
    """R20.2: a password older than VANBAN_PASSWORD_MAX_AGE_DAYS (90) must be changed."""
    with clock.frozen(T0):
        user = make_user(agency_x, roles=[Role.CLERK])
    with clock.frozen(T0 + timedelta(days=90)):
        assert not policy.password_expired(user)
    with clock.frozen(T0 + timedelta(days=91)):
        assert policy.password_expired(user)


def test_expired_password_forces_change_page(make_user: Callable[..., User], agency_x: Agency,
                                             client: Client) -> None:
    """R20.2: after 90 days every page leads to the password change, with a notice."""
    with clock.frozen(T0):
        user = make_user(agency_x, roles=[Role.CLERK])
    with clock.frozen(T0 + timedelta(days=91)):
        response = client.post(reverse("accounts:login"),
                               {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        home = client.get("/")
        assert home.status_code == 302
        assert home["Location"] == reverse("accounts:password_change")
        page = client.get(reverse("accounts:password_change"))
        assert "đã quá 90 ngày" in page.content.decode()
        changed = client.post(reverse("accounts:password_change"), {
            "old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG})
        assert changed.status_code == 302
        assert client.get("/").status_code == 200


def test_admin_set_password_changed_at_first_login(head_x: User, agency_x: Agency,
                                                   client: Client) -> None:
    """R20.1, R20.2: a password set by the agency head must be changed at first sign-in."""
    staff = services.staff_create(actor=head_x, agency=agency_x, username="nvc",
                                  full_name="Nguyễn Văn C", roles=[Role.SPECIALIST],
                                  password=STRONG)
    assert staff.must_change_password
    client.post(reverse("accounts:login"), {"username": "nvc", "password": STRONG})
    response = client.get("/")
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert "do người quản trị đặt" in page.content.decode()
    assert "chữ hoa" in page.content.decode()  # the policy's help texts
    new = "Sông-Cầu-2025#ok"
    client.post(reverse("accounts:password_change"),
                {"old_password": STRONG, "new_password1": new, "new_password2": new})
    staff.refresh_from_db()
    assert not staff.must_change_password
    assert client.get("/").status_code == 200


def test_reset_password_forces_change(head_x: User, clerk_x: User) -> None:
    """R20.2: a manager's reset sets a password the staff member must change, and unlocks."""
    clerk_x.locked_until = clock.now() + timedelta(minutes=10)
    clerk_x.save()
    services.staff_reset_password(actor=head_x, user=clerk_x, password=STRONG)
    clerk_x.refresh_from_db()
    assert clerk_x.must_change_password
    assert clerk_x.locked_until is None
    assert clerk_x.check_password(STRONG)
    event = AuditEvent.objects.get(action="staff.reset_password")
    assert STRONG not in event.data
