"""The audit viewer's filter form (a GET form: filters are part of the shareable URL)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanban.audit.selectors import EventFilter

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


class EventFilterForm(forms.Form):
    """Action (prefix), object, actor and a date range in local days."""

    action = forms.CharField(label=_("Hành động"), required=False, max_length=80)
    object_type = forms.CharField(label=_("Loại đối tượng"), required=False, max_length=80)
    object_id = forms.CharField(label=_("Mã đối tượng"), required=False, max_length=80)
    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_INPUTS,
                                widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    date_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_INPUTS,
                              widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))

    def clean(self) -> dict[str, Any]:
        """A range that ends before it starts is a mistake worth saying."""
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def to_filter(self) -> EventFilter:
        """The selector's filter from the cleaned data (call after ``is_valid``)."""
        data = self.cleaned_data
        return EventFilter(action=data.get("action", ""), object_type=data.get("object_type", ""),
                           object_id=data.get("object_id", ""),
                           actor_username=data.get("actor", ""),
                           date_from=data.get("date_from"), date_to=data.get("date_to"))
