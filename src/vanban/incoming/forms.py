"""Forms of the incoming pages: registering a delivery (to whom it goes, a note), rejecting it
(the reason), registering a paper document (its scan and the register columns). Validation of
meaning stays in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from vanban.core.dayinput import DayField
from vanban.directory.models import Agency, Unit
from vanban.registry.forms import MultipleFileField
from vanban.registry.models import Classification, Priority


def _scope(form: forms.Form, agency_id: int) -> None:
    unit = form.fields["recipient_unit"]
    user = form.fields["recipient_user"]
    assert isinstance(unit, forms.ModelChoiceField)  # noqa: S101 - declared below
    assert isinstance(user, forms.ModelChoiceField)  # noqa: S101 - declared below
    unit.queryset = Unit.objects.filter(agency_id=agency_id, active=True).order_by("code")
    user.queryset = get_user_model().objects.filter(
        agency_id=agency_id, is_active=True).order_by("username")


RECIPIENT_HELP = _("Chọn đơn vị hoặc người nhận (ít nhất một).")


def _require_recipient(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Decree 30 col. 7: the unit or the person who receives it; nothing is chosen in advance.
    (Registering a delivery leaves it to the service, which first checks who is asking.)"""
    if cleaned.get("recipient_unit") is None and cleaned.get("recipient_user") is None \
            and "recipient_unit" not in form.errors and "recipient_user" not in form.errors:
        form.add_error("recipient_unit", _("Cần chọn đơn vị hoặc người nhận văn bản (cột 7 sổ "
                                           "văn bản đến)."))


class RegisterForm(forms.Form):
    """Register a verified delivery: the unit or person who receives it (Decree 30 col. 7)."""

    recipient_unit = forms.ModelChoiceField(label=_("Đơn vị nhận"), queryset=Unit.objects.none(),
                                            required=False, help_text=RECIPIENT_HELP)
    recipient_user = forms.ModelChoiceField(label=_("Người nhận"),
                                            queryset=get_user_model().objects.none(),
                                            required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, agency_id)



class RejectForm(forms.Form):
    """Reject a delivery: the reason goes back to the sender with status 02."""

    reason = forms.CharField(label=_("Lý do từ chối"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PaperForm(forms.Form):
    """A paper document scanned on arrival (one PDF or page images) and its register columns."""

    scan = MultipleFileField(label=_("Bản quét (PDF hoặc ảnh các trang)"))
    issuer = forms.ModelChoiceField(label=_("Cơ quan ban hành (danh bạ)"), required=False,
                                    queryset=Agency.objects.order_by("code"),
                                    to_field_name="code")
    issuer_name = forms.CharField(label=_("Tác giả (cơ quan ban hành)"), max_length=200,
                                  required=False)
    code_number = forms.CharField(label=_("Số"), max_length=20, required=False)
    code_notation = forms.CharField(label=_("Ký hiệu"), max_length=50, required=False)
    issued_date = DayField(label=_("Ngày tháng văn bản"), required=False)
    type_name = forms.CharField(label=_("Tên loại văn bản"), max_length=100, required=False)
    subject = forms.CharField(label=_("Trích yếu nội dung"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(label=_("Độ khẩn"), choices=Priority.choices)
    classification = forms.ChoiceField(label=_("Độ mật"), choices=Classification.choices)
    due_date = DayField(label=_("Hạn trả lời"), required=False)
    recipient_unit = forms.ModelChoiceField(label=_("Đơn vị nhận"), queryset=Unit.objects.none(),
                                            required=False, help_text=RECIPIENT_HELP)
    recipient_user = forms.ModelChoiceField(label=_("Người nhận"),
                                            queryset=get_user_model().objects.none(),
                                            required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _scope(self, agency_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _require_recipient(self, cleaned)
        return cleaned
