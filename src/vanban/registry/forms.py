"""Forms of the registry pages: drafting (recipients from the directory and individuals) and
upload (a PDF or page images, plus appendices). Validation of meaning stays in the services."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from vanban.core.dayinput import DayField
from vanban.directory.groups import recipient_groups_offered
from vanban.directory.models import Agency, AgencyKind, Unit
from vanban.registry.core.numbering import DOCUMENT_TYPES
from vanban.registry.models import (
    Classification,
    Competence,
    DocumentRecipient,
    DocumentState,
    Priority,
)
from vanban.registry.recent import recent_recipient_codes
from vanban.registry.selectors import DocumentFilter
from vanban.registry.services import RecipientInput


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several files."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the view reads them with ``request.FILES.getlist``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        """Clean each file."""
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


# Recipient groups of the picker, from the directory's kind of agency, in the order a clerk
# of the province reads them.
GROUPS: tuple[tuple[str, Any], ...] = (
    (AgencyKind.PROVINCE, _("UBND tỉnh, Văn phòng UBND tỉnh")),
    (AgencyKind.DEPARTMENT, _("Các Sở, ban, ngành")),
    (AgencyKind.DISTRICT, _("UBND các huyện, thành phố")),
    (AgencyKind.COMMUNE, _("UBND các xã, phường, thị trấn")),
    (AgencyKind.OTHER, _("Cơ quan khác, ngoài tỉnh")),
)
_GROUP_OF = {AgencyKind.OFFICE: AgencyKind.PROVINCE}


def recipient_groups(sender: Agency, recent: Sequence[str] = ()
                     ) -> list[tuple[str, list[tuple[str, str]]]]:
    """The active agencies a document of ``sender`` may go to, grouped by kind (the sender
    itself is never offered), each group sorted by name; empty groups left out. The codes in
    ``recent`` come first, in their own group "recently used", in that order."""
    members: dict[str, list[tuple[str, str]]] = {str(kind): [] for kind, _label in GROUPS}
    used: dict[str, tuple[str, str]] = {}
    for agency in Agency.objects.filter(active=True).exclude(pk=sender.pk).order_by("name"):
        if agency.code in recent:
            used[agency.code] = (agency.code, agency.name)
            continue
        kind = _GROUP_OF.get(AgencyKind(agency.kind), AgencyKind(agency.kind))
        if agency.installation:
            kind = AgencyKind.OTHER
        members[str(kind)].append((agency.code, agency.name))
    first = [(str(_("Dùng gần đây")), [used[c] for c in recent if c in used])] if used else []
    return first + [(str(label), members[str(kind)]) for kind, label in GROUPS
                    if members[str(kind)]]


class AgencyPickerField(forms.MultipleChoiceField):
    """Agencies by code, offered in groups; cleans to :class:`Agency` rows."""

    def offer(self, *, sender: Agency, recent: Sequence[str] = ()) -> None:
        """The choices for a document of ``sender`` (``recent`` first), and the province's
        recipient groups for the picker's one-click buttons (``data-groups``)."""
        self.choices = recipient_groups(sender, recent)
        self.widget.attrs["data-groups"] = json.dumps(
            [{"name": g.name, "codes": g.codes} for g in recipient_groups_offered(sender)],
            ensure_ascii=False)

    def clean(self, value: Any) -> list[Agency]:
        """The chosen agencies, in the directory's order."""
        codes = super().clean(value)
        return list(Agency.objects.filter(code__in=codes, active=True).order_by("code"))


class DocumentForm(forms.Form):
    """The drafting form (dự thảo văn bản đi)."""

    type_code = forms.ChoiceField(label=_("Loại văn bản"),
                                  choices=[(t.code, t.name) for t in DOCUMENT_TYPES])
    legal_normative = forms.BooleanField(label=_("Văn bản quy phạm pháp luật"), required=False)
    subject = forms.CharField(label=_("Trích yếu nội dung"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("Đơn vị soạn thảo"), queryset=Unit.objects.none(),
                                  required=False)
    place = forms.CharField(label=_("Địa danh"), max_length=100, required=False)
    priority = forms.ChoiceField(label=_("Độ khẩn"), choices=Priority.choices)
    classification = forms.ChoiceField(label=_("Độ mật"), choices=Classification.choices)
    competence = forms.ChoiceField(label=_("Thẩm quyền ký"), choices=Competence.choices,
                                   required=False)
    position = forms.CharField(label=_("Chức vụ người ký"), max_length=100, required=False)
    full_name = forms.CharField(label=_("Họ tên người ký"), max_length=50, required=False)
    due_date = DayField(label=_("Hạn trả lời"), required=False)
    archive_units = forms.CharField(label=_("Lưu (nơi giữ bản lưu)"), max_length=200, initial="VT",
                                    required=False)
    description = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
    agencies = AgencyPickerField(
        label=_("Cơ quan nhận (danh bạ)"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 12, "data-picker": "1",
                                           "data-search-label": _("Tìm cơ quan nhận…"),
                                           "data-groups-label": _("Nhóm nơi nhận")}))
    paper_agencies = AgencyPickerField(
        label=_("Cơ quan nhận bản giấy (ghi ở “Nơi nhận”)"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "data-picker": "1",
                                           "data-search-label": _("Tìm cơ quan nhận…"),
                                           "data-groups-label": _("Nhóm nơi nhận")}))
    individuals = forms.CharField(
        label=_("Cá nhân nhận (mỗi dòng: Họ tên | Địa chỉ | Thư điện tử)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, agency: Agency, user_id: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = cast(forms.ModelChoiceField, self.fields["unit"])  # type: ignore[type-arg]
        units.queryset = Unit.objects.filter(agency=agency, active=True).order_by("code")
        recent = (recent_recipient_codes(user_id=user_id, sender_id=agency.pk)
                  if user_id is not None else [])
        for name in ("agencies", "paper_agencies"):
            cast(AgencyPickerField, self.fields[name]).offer(sender=agency, recent=recent)

    def recipients(self) -> list[RecipientInput]:
        """The chosen agencies (electronic, or paper when marked so) then the individuals."""
        data = self.cleaned_data
        paper = set(data["paper_agencies"])
        out = [RecipientInput(agency=a, role=DocumentRecipient.ROLE_ELECTRONIC)
               for a in data["agencies"] if a not in paper]
        out += [RecipientInput(agency=a, role=DocumentRecipient.ROLE_PAPER) for a in paper]
        for line in data["individuals"].splitlines():
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            if parts[0]:
                out.append(RecipientInput(name=parts[0], address=parts[1], mailbox=parts[2],
                                          role=DocumentRecipient.ROLE_PAPER))
        return out

    def values(self) -> dict[str, Any]:
        """The document fields, as the services take them."""
        data = self.cleaned_data
        keys = ("type_code", "legal_normative", "subject", "unit", "place", "priority",
                "classification", "competence", "position", "full_name", "due_date",
                "archive_units", "description")
        return {k: data[k] for k in keys} | {"recipients": self.recipients()}


class DocumentFilterForm(forms.Form):
    """The outgoing list's search and filters (a GET form: the filters are in the address)."""

    q = forms.CharField(label=_("Tìm (số, ký hiệu, trích yếu, người ký)"), required=False,
                        max_length=100, widget=forms.TextInput(attrs={
                            "type": "search",
                            "placeholder": _("Số, ký hiệu, trích yếu, người ký")}))
    state = forms.ChoiceField(label=_("Trạng thái"), required=False,
                              choices=[("", _("Tất cả")), *list(DocumentState.choices)])
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
    type_code = forms.ChoiceField(label=_("Loại văn bản"), required=False,
                                  choices=[("", _("Tất cả"))]
                                  + [(t.code, t.name) for t in DOCUMENT_TYPES])

    def query(self) -> DocumentFilter:
        """The filter the selectors take (an invalid field is left out, not an error page)."""
        data = self.cleaned_data if self.is_valid() else {}
        return DocumentFilter(text=data.get("q") or "", state=data.get("state") or "",
                              year=data.get("year"), type_code=data.get("type_code") or "")


class UploadForm(forms.Form):
    """The scanned document (one PDF or several page images) and its appendices (R15.2)."""

    main = MultipleFileField(label=_("Văn bản (một tệp PDF, hoặc các ảnh trang JPEG/PNG/TIFF)"))
    appendices = MultipleFileField(label=_("Phụ lục (PDF hoặc ảnh, mỗi tệp một phụ lục)"),
                                   required=False)


class CancelForm(forms.Form):
    """Why the document is cancelled (its number stays taken)."""

    reason = forms.CharField(label=_("Lý do hủy"), max_length=500)


class ApprovalForm(forms.Form):
    """The note of an approval step: the submitter's message or the head's note (bút phê)."""

    note = forms.CharField(label=_("Ý kiến"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
