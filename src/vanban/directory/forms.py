"""Input forms of the directory pages. They only shape input; the services judge it."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from vanban.directory.models import Agency, AgencyKind


class AgencyForm(forms.Form):
    """Create or edit an agency (R20.1: province administrator only)."""

    code = forms.CharField(label=_("Mã định danh"), max_length=35,
                           help_text=_("Ví dụ 000.00.01.H99 (tối đa 35 ký tự: 0-9, A-Z, dấu chấm)"))
    name = forms.CharField(label=_("Tên cơ quan"), max_length=200)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=30,
                                 help_text=_("Dùng trong ký hiệu văn bản, ví dụ STTTT"))
    parent = forms.ModelChoiceField(label=_("Cơ quan cấp trên"), queryset=Agency.objects.none(),
                                    to_field_name="code", required=False)
    kind = forms.ChoiceField(label=_("Loại cơ quan"), choices=AgencyKind.choices,
                             initial=AgencyKind.DEPARTMENT)
    mailbox = forms.CharField(label=_("Hộp thư công vụ"), max_length=254, required=False)
    connected = forms.BooleanField(label=_("Đã kết nối hệ thống"), required=False, initial=True)
    active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args: object, editing: Agency | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        parents = Agency.objects.order_by("code")
        if editing is not None:
            parents = parents.exclude(pk=editing.pk)
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        else:
            del self.fields["active"]
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class UnitForm(forms.Form):
    """Create or edit a unit of an agency."""

    code = forms.CharField(label=_("Mã đơn vị"), max_length=30, help_text=_("Ví dụ VP, KT"))
    name = forms.CharField(label=_("Tên đơn vị"), max_length=200)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=30, required=False)
    active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        else:
            del self.fields["active"]


class RecipientGroupForm(forms.Form):
    """A recipient group: its name, place in the picker and member agencies."""

    name = forms.CharField(label=_("Tên nhóm"), max_length=100,
                           help_text=_("Ví dụ: Các Sở, ban, ngành; UBND các huyện"))
    position = forms.IntegerField(label=_("Thứ tự hiển thị"), min_value=0, max_value=999,
                                  initial=0)
    members = forms.ModelMultipleChoiceField(
        label=_("Các cơ quan trong nhóm"), queryset=Agency.objects.none(), required=False,
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 14, "data-picker": "1",
                                           "data-search-label": _("Tìm cơ quan…")}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        members = cast(forms.ModelMultipleChoiceField, self.fields["members"])  # type: ignore[type-arg]
        members.queryset = Agency.objects.filter(active=True).order_by("name")
