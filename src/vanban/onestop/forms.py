"""Forms of the desk's staff pages: the counter intake (applicant and decision) and the one
form every dossier action posts (each action reads the fields it needs). Dates are typed
dd/mm/yyyy (:class:`vanban.core.dayinput.DayField`), never a browser date picker."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils.translation import gettext_lazy as _

from vanban.core.clock import VN_TZ
from vanban.core.dayinput import DayField
from vanban.onestop.models import Classification

DECISIONS = (("accept", _("Tiếp nhận")), ("supplement", _("Yêu cầu bổ sung")),
             ("refuse", _("Từ chối tiếp nhận")))


def lines(text: str) -> list[str]:
    """One item a line, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ApplicantFields(forms.Form):
    """Who the dossier is for: the same fields at the counter and on a forwarded dossier."""

    name = forms.CharField(label=_("Tên tổ chức, cá nhân"), max_length=200)
    id_number = forms.CharField(label=_("Số định danh cá nhân / mã số doanh nghiệp"),
                                max_length=30, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)


class IntakeForm(ApplicantFields):
    """The applicant and the officer's decision at the counter."""

    subject = forms.CharField(label=_("Nội dung yêu cầu giải quyết"), max_length=500,
                              required=False)
    classification = forms.ChoiceField(label=_("Độ mật"), choices=Classification.choices,
                                       initial=Classification.NORMAL)
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    items = forms.CharField(label=_("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"),
                            widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, max_length=2000)


class ActionForm(forms.Form):
    """What a dossier action may carry; each action uses its own fields."""

    note = forms.CharField(label=_("Ghi chú"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Lý do"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.CharField(label=_("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"),
                            required=False, widget=forms.Textarea(attrs={"rows": 3}))
    returned_items = forms.CharField(label=_("Giấy tờ, phí trả lại (mỗi dòng một mục)"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    new_day = DayField(label=_("Ngày hẹn trả mới"), required=False)
    new_time = forms.TimeField(label=_("Giờ hẹn trả mới"), required=False,
                               input_formats=["%H:%M", "%H.%M", "%Hh%M", "%H"],
                               widget=forms.TextInput(attrs={"placeholder": "hh:mm",
                                                             "inputmode": "numeric"}))
    requested_day = DayField(label=_("Ngày công dân đề nghị"), required=False)
    target = forms.IntegerField(label=_("Cơ quan nhận hồ sơ"), required=False, min_value=1)

    def new_due(self) -> datetime | None:
        """The new appointment in Vietnam's time (17:00 when no hour is typed)."""
        day = self.cleaned_data.get("new_day")
        if day is None:
            return None
        at = self.cleaned_data.get("new_time") or time(17, 0)
        return datetime.combine(day, at, tzinfo=VN_TZ)

    def requested_at(self) -> datetime | None:
        day = self.cleaned_data.get("requested_day")
        return datetime.combine(day, time(8, 0), tzinfo=VN_TZ) if day else None


FORWARDED_DECISIONS = (("accept", _("Tiếp nhận")), ("receive", _("Nhận để kiểm tra")))


class ForwardedForm(ApplicantFields):
    """The receiving desk takes a dossier another agency's desk forwarded (R11.1a): under which
    of its procedures, for whom, and whether it accepts at once or keeps it for the check. Which
    procedure paper each received file is comes as ``paper-<n>`` (read by the view)."""

    field_order = ("procedure",)
    procedure = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=FORWARDED_DECISIONS, widget=forms.HiddenInput)


class SendBackForm(forms.Form):
    """The receiving desk sends a forwarded dossier back with its reason (R11.2)."""

    reason = forms.CharField(label=_("Lý do trả lại"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
