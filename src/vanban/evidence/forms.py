"""The consistency form of the status page: a tree head someone kept, as JSON or as its size."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanban.evidence.models import TreeHead
from vanban.evidence.services import head_as_dict


class ConsistencyForm(forms.Form):
    """``old_head``: the ``tree_head`` object of an earlier bundle, or the size of a stored head."""

    old_head = forms.CharField(
        label=_("Đầu cây đã lưu (JSON trong gói bằng chứng) hoặc kích thước"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}), max_length=4000)

    def clean_old_head(self) -> dict[str, Any]:
        """The head as a dict; a bare number picks the stored head of that size."""
        text = self.cleaned_data["old_head"].strip()
        if text.isdigit():
            head = TreeHead.objects.filter(size=int(text)).first()
            if head is None:
                raise forms.ValidationError(_("Không có đầu cây đã ký với kích thước này."))
            return head_as_dict(head)
        try:
            value = json.loads(text)
        except ValueError as err:
            raise forms.ValidationError(_("Không phải JSON hợp lệ.")) from err
        if isinstance(value, dict) and isinstance(value.get("tree_head"), dict):
            value = value["tree_head"]  # a whole bundle pasted: take its head
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Cần một đối tượng JSON của đầu cây."))
        return value
