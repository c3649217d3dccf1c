"""Password strength rule added to Django's validators (R20.2)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require upper case, lower case, a digit and a symbol: what office policies ask for."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ``ValidationError`` listing what the password lacks."""
        missing = []
        if not any(c.isupper() for c in password):
            missing.append(_("một chữ hoa"))
        if not any(c.islower() for c in password):
            missing.append(_("một chữ thường"))
        if not any(c.isdigit() for c in password):
            missing.append(_("một chữ số"))
        if all(c.isalnum() for c in password):
            missing.append(_("một ký tự đặc biệt"))
        if missing:
            raise ValidationError(
                _("Mật khẩu phải có ít nhất: %(missing)s.") % {"missing": ", ".join(missing)},
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        """Shown beside password fields."""
        return _("Mật khẩu phải có chữ hoa, chữ thường, chữ số và ký tự đặc biệt.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Vietnamese message: Django 5.2's Vietnamese catalogue lacks
    the current wording of its error, which would otherwise be shown in English."""

    def get_error_message(self) -> str:
        """The error when the password is too short."""
        return _("Mật khẩu quá ngắn, phải có ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length}

    def get_help_text(self) -> str:
        """Shown beside password fields."""
        return _("Mật khẩu phải có ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length}
