"""Fixes of the outgoing pages and PDFs (issue 13, observed 9): the register PDF keeps a date
on one line, a draft's page says it is not issued yet, dates are typed dd/mm/yyyy."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from reportlab.lib.units import mm

from vanban.core.dayinput import parse_day
from vanban.core.errors import ValidationFailed
from vanban.directory.models import Agency
from vanban.pdfs.render import page_text
from vanban.registry import printing, services
from vanban.registry.models import Document

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def test_register_pdf_keeps_the_date_on_one_line(clerk: Any, draft: Document) -> None:
    """R6.1: the register PDF prints ``dd/mm/yyyy`` whole, never ``…/202`` over ``6``."""
    registered = services.document_register(actor=clerk, document=draft)
    assert registered.register is not None
    assert registered.issued_date is not None
    pdf = _client(clerk).get(reverse("registry:register_pdf",
                                     args=[registered.register.year, "administrative"]))
    text = page_text(pdf.content, 2)
    assert registered.issued_date.strftime("%d/%m/%Y") in text


def test_narrow_date_columns_grow_to_fit() -> None:
    """Any register built on :func:`printing.table_pdf` (the incoming one too): a column
    narrower than a date grows, the wide columns give the width back, the page width stays."""
    widths = (22, 14, 38, 28, 22, 62, 36, 20, 16, 19)
    rows = [["1", "31/12/2026", "Sở Nội vụ", "12/SNV-VP", "30/12/2026", "Về việc " * 10,
             "Phòng A", "", "", ""]]
    fitted = printing.fit_widths(widths, [[f"({i})" for i in range(1, 11)], *rows])
    assert fitted[1] > 14 * mm
    assert abs(sum(fitted) - sum(widths) * mm) < 0.01
    data = printing.table_pdf(title="t", author="a", front=[], columns=[str(i) for i in range(10)],
                              widths_mm=widths, rows=rows)
    assert "31/12/2026" in page_text(data, 1)


def test_draft_page_says_not_issued(clerk: Any, draft: Document) -> None:
    """A draft has no issue date: the page says so instead of ``Bắc Giang—``."""
    html = _client(clerk).get(reverse("registry:document_detail", args=[draft.pk])).content
    text = html.decode()
    assert "Bắc Giang—" not in text
    assert "Chưa ban hành" in text
    registered = services.document_register(actor=clerk, document=draft)
    assert registered.issued_date is not None
    html = _client(clerk).get(reverse("registry:document_detail", args=[draft.pk])).content
    assert f"Bắc Giang, ngày {registered.issued_date:%d/%m/%Y}" in html.decode()


def test_due_date_is_typed_dd_mm_yyyy(clerk: Any, finance: Agency) -> None:
    """Dates are text inputs in ``dd/mm/yyyy`` (not the browser's locale order): the form
    shows the hint, reads ``05/01/2027`` as 5 January and shows it back the same way."""
    client = _client(clerk)
    html = client.get(reverse("registry:document_create")).content.decode()
    field = re.search(r'<input[^>]*name="due_date"[^>]*>', html)
    assert field is not None
    assert 'type="text"' in field.group(0)
    assert 'placeholder="dd/mm/yyyy"' in field.group(0)
    response = client.post(reverse("registry:document_create"), {
        "type_code": "cong_van", "subject": "Về việc báo cáo", "priority": "thuong",
        "classification": "thuong", "due_date": "05/01/2027", "agencies": [finance.code]})
    assert response.status_code == 302
    document = Document.objects.get(subject="Về việc báo cáo")
    assert document.due_date == date(2027, 1, 5)
    edit = client.get(reverse("registry:document_edit", args=[document.pk])).content.decode()
    assert 'value="05/01/2027"' in edit


@pytest.mark.parametrize(("text", "day"), [("05/01/2027", date(2027, 1, 5)),
                                           ("5/1/2027", date(2027, 1, 5)),
                                           ("2027-01-05", date(2027, 1, 5)),
                                           ("", None)])
def test_parse_day(text: str, day: date | None) -> None:
    """One parser for every form: dd/mm/yyyy first, ISO for API clients and old links."""
    assert parse_day(text) == day


def test_parse_day_refuses_month_first() -> None:
    """``12/31/2026`` (a US browser's order) is refused in both languages, never guessed."""
    with pytest.raises(ValidationFailed) as err:
        parse_day("12/31/2026")
    assert "dd/mm/yyyy" in err.value.vi


def test_recipient_picker_groups_and_never_offers_the_sender(
        clerk: Any, sender: Agency, finance: Agency, commune: Agency) -> None:
    """R3.1: the recipients list is grouped by kind (Sở, huyện, xã…), searchable through a
    static script (no inline script), and never offers the drafting agency itself; a forged
    post naming it is refused by the form."""
    client = _client(clerk)
    html = client.get(reverse("registry:document_create")).content.decode()
    block = html.split('name="agencies"', 1)[1].split("</select>", 1)[0]
    assert f'value="{finance.code}"' in block
    assert f'value="{commune.code}"' in block
    assert f'value="{sender.code}"' not in block
    assert 'label="Các Sở, ban, ngành"' in block
    assert 'label="UBND các xã, phường, thị trấn"' in block
    assert "data-picker" in html
    assert "registry/picker.js" in html
    assert "<script>" not in html
    response = client.post(reverse("registry:document_create"), {
        "type_code": "cong_van", "subject": "Gửi chính mình", "priority": "thuong",
        "classification": "thuong", "agencies": [sender.code]})
    assert response.status_code == 200
    assert not Document.objects.filter(subject="Gửi chính mình").exists()


def test_picker_script_is_served() -> None:
    """The picker's script is a static file of the registry app."""
    from django.contrib.staticfiles import finders

    found = finders.find("registry/picker.js")
    assert found is not None
    text = Path(str(found)).read_text()
    assert "data-picker" in text
    assert 'normalize("NFD")' in text


def test_document_list_pages_searches_and_filters(clerk: Any, sender: Agency,
                                                  draft: Document) -> None:
    """The outgoing list shows 50 documents and a visible link to the next page (never cut
    silently); the search box finds words of the subject and the number; filters narrow by
    state."""
    for n in range(52):
        services.document_create(actor=clerk, agency=sender, type_code="cong_van",
                                 subject=f"Về việc số liệu tháng {n}")
    client = _client(clerk)
    first = client.get(reverse("registry:document_list")).content.decode()
    assert first.count("Về việc số liệu tháng") == 50
    next_link = re.search(r'href="([^"]*after=\d+[^"]*)"[^>]*data-testid="page-next"', first)
    assert next_link is not None
    second = client.get(reverse("registry:document_list")
                        + next_link.group(1).replace("&amp;", "&")).content.decode()
    assert second.count("Về việc số liệu tháng") == 2
    assert "kiện toàn tổ chức" in second
    assert 'data-testid="page-end"' in second
    found = client.get(reverse("registry:document_list"), {"q": "kiện toàn"}).content.decode()
    assert "kiện toàn tổ chức" in found
    assert "Về việc số liệu tháng" not in found
    registered = services.document_register(actor=clerk, document=draft)
    by_number = client.get(reverse("registry:document_list"),
                           {"q": f"{registered.code_number}/"}).content.decode()
    assert "kiện toàn tổ chức" in by_number
    by_state = client.get(reverse("registry:document_list"),
                          {"state": "registered"}).content.decode()
    assert "kiện toàn tổ chức" in by_state
    assert "Về việc số liệu tháng" not in by_state
    none = client.get(reverse("registry:document_list"), {"q": "không có từ này"})
    assert "Không có văn bản nào khớp" in none.content.decode()
