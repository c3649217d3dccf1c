"""Page forms: they only shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vanban.core.roles import ROLE_LABELS_EN, ROLE_LABELS_VI, Role
from vanban.directory.models import Unit


def role_label(role: Role) -> str:
    """A role's name in the active language."""
    english = (translation.get_language() or "vi").startswith("en")
    return (ROLE_LABELS_EN if english else ROLE_LABELS_VI)[role]


def role_choices(*, include_province_admin: bool) -> list[tuple[str, str]]:
    """Role checkboxes; the province administrator role only for those who may grant it."""
    return [(r.value, role_label(r)) for r in Role
            if include_province_admin or r is not Role.PROVINCE_ADMIN]


def _set_role_choices(form: forms.Form, *, include_province_admin: bool) -> None:
    field = cast(forms.MultipleChoiceField, form.fields["require_2fa_roles" if
                 "require_2fa_roles" in form.fields else "roles"])
    field.choices = role_choices(include_province_admin=include_province_admin)


class LoginForm(forms.Form):
    """First sign-in step."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True,
                                                             "autocomplete": "username"}))
    password = forms.CharField(label=_("Mật khẩu"), strip=False,
                               widget=forms.PasswordInput(attrs={
                                   "autocomplete": "current-password"}))


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(label=_("Mã xác thực (6 chữ số)"), max_length=8,
                           widget=forms.TextInput(attrs={
                               "autofocus": True, "autocomplete": "one-time-code",
                               "inputmode": "numeric", "pattern": "[0-9 ]*"}))


class PasswordChangeForm(forms.Form):
    """The user's own password change; the policy's rules are shown as help text."""

    old_password = forms.CharField(label=_("Mật khẩu hiện tại"), strip=False,
                                   widget=forms.PasswordInput(attrs={
                                       "autocomplete": "current-password", "autofocus": True}))
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html)
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        """Both copies of the new password must match."""
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError(_("Hai lần nhập mật khẩu mới không khớp."))
        return data


class SecurityPolicyForm(forms.Form):
    """R17.1: roles of the agency that must sign in with a second factor."""

    require_2fa_roles = forms.MultipleChoiceField(
        label=_("Vai trò bắt buộc xác thực hai lớp"), required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_role_choices(self, include_province_admin=True)


class StaffForm(forms.Form):
    """A staff member's details (create and edit)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(),
                                  required=False, empty_label=_("(không thuộc đơn vị nào)"))
    position = forms.CharField(label=_("Chức vụ"), max_length=100, required=False)
    mailbox = forms.EmailField(label=_("Hộp thư công vụ"), required=False,
                               help_text=_("Do quản trị cấp tỉnh (Sở TT&TT) cấp."))

    def __init__(self, *args: Any, units: Any, mailbox_editable: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Unit]", self.fields["unit"]).queryset = units
        if not mailbox_editable:
            self.fields["mailbox"].disabled = True


class StaffCreateForm(StaffForm):
    """A new account: its username, roles and initial password on top of the details."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    roles = forms.MultipleChoiceField(label=_("Vai trò"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Cán bộ phải đổi mật khẩu này khi đăng nhập lần đầu."))
    field_order = ("username", "full_name", "unit", "position", "mailbox", "roles", "password")

    def __init__(self, *args: Any, grant_province_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_role_choices(self, include_province_admin=grant_province_admin)


class RolesForm(forms.Form):
    """Replace a staff member's roles."""

    roles = forms.MultipleChoiceField(label=_("Vai trò"), required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, grant_province_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_role_choices(self, include_province_admin=grant_province_admin)


class ResetPasswordForm(forms.Form):
    """A new password set by a manager; the staff member must change it at next login. The
    reason is required by the service for a head or delegate (reset by the province only)."""

    password = forms.CharField(
        label=_("Mật khẩu mới"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    reason = forms.CharField(label=_("Lý do đặt lại"), max_length=500, required=False)


class RoleDecisionForm(forms.Form):
    """The head's decision on a pending role."""

    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class TokenForm(forms.Form):
    """A new API token of one's own, with a label to tell it apart."""

    label = forms.CharField(label=_("Tên gợi nhớ"), max_length=100, required=False)
