"""Pages of the incoming register with the Django test client (R4.3, R5.1, R10.1, R10.2):
inbox with verdicts, the delivery page with each check, register and reject forms, paper
registration, the register list and its Decree 30 PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import Client

from vanban.checks.models import InboxCheck
from vanban.exchange.models import Delivery
from vanban.incoming import services
from vanban.incoming.models import IncomingDocument
from vanban.incoming.tests.conftest import arrive
from vanban.signatures.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_shows_waiting_with_verdict_and_records_the_check(
        valid_delivery, sender, finance, finance_clerk, health_clerk):
    """R10.1, R10.2: the clerk's inbox lists waiting deliveries with their verdict (valid or
    not) and records the opening; another agency sees none of them (R1.1)."""
    unsigned = arrive(sender, finance, make_pdf(), number="99")
    page = _client(finance_clerk).get("/incoming/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'data-delivery="{valid_delivery.uid}"' in text
    assert f'data-delivery="{unsigned.uid}"' in text
    assert text.count('data-verdict="valid"') == 1
    assert text.count('data-verdict="invalid"') == 1
    assert InboxCheck.objects.filter(user_id=finance_clerk.pk, waiting=2).count() == 1
    other = _client(health_clerk).get("/incoming/").content.decode()
    assert str(valid_delivery.uid) not in other
    assert _client(health_clerk).get(f"/incoming/delivery/{valid_delivery.uid}/").status_code \
        == 404


def test_delivery_page_lists_every_check_and_registers(valid_delivery, finance_clerk,
                                                       budget_unit):
    """R4.3, R10.1: the page shows each check with its Vietnamese text and the PDF; the clerk
    registers through the form and lands on the register line."""
    client = _client(finance_clerk)
    page = client.get(f"/incoming/delivery/{valid_delivery.uid}/").content.decode()
    assert page.count('data-status="pass"') == 10
    assert "Chứng thư số đã đăng ký cho cơ quan gửi." in page
    assert 'data-testid="register-form"' in page
    assert client.get(f"/incoming/delivery/{valid_delivery.uid}/file/").content \
        .startswith(b"%PDF")
    assert 'selected value="' not in page.split('data-testid="register-form"')[1].split(
        "</form>")[0]  # nobody chosen in advance
    missing = client.post(f"/incoming/delivery/{valid_delivery.uid}/register/",
                          {"note": "Chưa chọn"}, follow=True).content.decode()
    assert "Cần chọn đơn vị hoặc người nhận" in missing  # Decree 30 col. 7
    assert not IncomingDocument.objects.exists()
    answer = client.post(f"/incoming/delivery/{valid_delivery.uid}/register/",
                         {"recipient_unit": budget_unit.pk, "note": "Chuyển phòng NS"})
    entry = IncomingDocument.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/incoming/entry/{entry.pk}/"
    assert entry.recipient_unit == budget_unit
    assert Delivery.objects.get(pk=valid_delivery.pk).state == "03"
    line = client.get(answer["Location"]).content.decode()
    assert "Phòng Ngân sách" in line
    assert client.get(f"/incoming/entry/{entry.pk}/file/").content.startswith(b"%PDF")


def test_invalid_delivery_shows_reason_and_is_rejected_by_form(sender, finance, finance_clerk,
                                                               finance_head):
    """R4.3, R5.1: an unsigned delivery shows why it failed and no register form; the clerk
    rejects it with a reason (02); the head sees the page without the forms."""
    delivery = arrive(sender, finance, make_pdf())
    client = _client(finance_clerk)
    page = client.get(f"/incoming/delivery/{delivery.uid}/").content.decode()
    assert 'data-check="signature_present" data-status="fail"' in page
    assert "văn bản điện tử phải được ký số" in page
    assert 'data-testid="register-form"' not in page
    assert 'data-testid="not-registrable"' in page
    refused = client.post(f"/incoming/delivery/{delivery.uid}/register/", {})
    assert refused.status_code == 302
    assert not IncomingDocument.objects.exists()
    client.post(f"/incoming/delivery/{delivery.uid}/reject/", {"reason": "Chưa ký số"})
    delivery.refresh_from_db()
    assert delivery.state == "02"
    assert delivery.reason == "Chưa ký số"
    head_page = _client(finance_head).get(f"/incoming/delivery/{delivery.uid}/")
    assert b'data-testid="reject-form"' not in head_page.content


def test_paper_form_registers_and_refuses_classified(finance_clerk):
    """R10.1, R3.1: the upload form registers a scanned paper document; a classified one is
    refused with the reason shown."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(finance_clerk)
    assert client.get("/incoming/paper/").status_code == 200
    base = {"issuer_name": "UBND huyện Lục Nam", "code_number": "12", "code_notation": "UBND",
            "subject": "Báo cáo kết quả", "priority": "thuong", "recipient_user": finance_clerk.pk}
    refused = client.post("/incoming/paper/", {
        **base, "classification": "mat",
        "scan": SimpleUploadedFile("scan.pdf", make_pdf(), "application/pdf")})
    assert refused.status_code == 200
    assert "bí mật nhà nước" in refused.content.decode()
    nobody = client.post("/incoming/paper/", {
        **base, "classification": "thuong", "recipient_user": "",
        "scan": SimpleUploadedFile("scan.pdf", make_pdf(), "application/pdf")})
    assert "Cần chọn đơn vị hoặc người nhận" in nobody.content.decode()  # Decree 30 col. 7
    done = client.post("/incoming/paper/", {
        **base, "classification": "thuong",
        "scan": SimpleUploadedFile("scan.pdf", make_pdf(), "application/pdf")})
    assert done.status_code == 302
    assert IncomingDocument.objects.get().number_text == "12/UBND"


def test_register_list_paginates_searches_and_prints(finance_clerk):
    """R10.1: the register lists newest first, 50 a page (keyset), searches, and prints as a
    PDF in the Decree 30 layout with Vietnamese text intact (checked with pdftotext). Only the
    register keepers open it (R16.5: tests/test_need_to_know.py)."""
    for n in range(1, 53):
        services.incoming_register_paper(
            actor=finance_clerk, data=make_pdf(), issuer_name="UBND huyện Lục Nam",
            code_number=str(n), code_notation="UBND",
            subject=f"Báo cáo số {n} về đường giao thông nông thôn")
    client = _client(finance_clerk)
    page = client.get("/incoming/register/").content.decode()
    assert 'data-number="52"' in page
    assert 'data-number="3"' in page
    assert 'data-number="2"' not in page
    assert "before=3" in page
    rest = client.get("/incoming/register/?before=3").content.decode()
    assert 'data-number="2"' in rest
    assert 'data-number="1"' in rest
    found = client.get("/incoming/register/?q=số 17 về").content.decode()
    assert found.count("data-number=") == 1
    pdf = client.get("/incoming/register/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    tool = shutil.which("pdftotext")
    assert tool is not None, "poppler-utils (pdftotext) is needed: ./scripts/setup"
    text = subprocess.run([tool, "-", "-"], input=pdf.content, capture_output=True,
                          check=True).stdout.decode()
    text = " ".join(text.split())  # cells wrap their lines
    for words in ("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Ngày đến", "Số đến", "Tác giả",
                  "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú", "Từ số 1 đến số 52",
                  "UBND huyện Lục Nam", "đường giao thông nông thôn"):
        assert words in text, words


def test_exchange_inbox_points_to_the_register(valid_delivery, finance_clerk):
    """R5.1: the hub's incoming page no longer accepts (03) by itself: it links to the
    registration page, and offers no 04/05/06 buttons."""
    page = _client(finance_clerk).get(f"/exchange/inbox/{valid_delivery.uid}/").content.decode()
    assert f'href="/incoming/delivery/{valid_delivery.uid}/" data-testid="accept"' in page
    assert 'value="04"' not in page
    assert 'value="03"' not in page
    assert "/incoming/" in _client(finance_clerk).get("/exchange/inbox/").content.decode()


def test_waiting_deliveries_page_with_a_visible_next_page(sender, finance, finance_clerk,
                                                          monkeypatch):
    """Issue 13 observed 6, R10.1: what waits for registration is never cut silently: a page
    ends with a link to the next (keyset), the last says the list is complete."""
    from vanban.incoming import selectors

    monkeypatch.setattr(selectors, "PAGE", 1)
    older = arrive(sender, finance, make_pdf(), number="1")
    newer = arrive(sender, finance, make_pdf(), number="2")
    client = _client(finance_clerk)
    page = client.get("/incoming/").content.decode()
    assert f'data-delivery="{newer.uid}"' in page
    assert f'data-delivery="{older.uid}"' not in page
    assert 'data-testid="page-next"' in page
    rest = client.get(f"/incoming/?after={newer.pk}").content.decode()
    assert f'data-delivery="{older.uid}"' in rest
    assert 'data-testid="page-end"' in rest


def test_register_pages_link_to_the_assignment_for_who_may_assign(finance_clerk, finance_head):
    """R8.1: the head (or a delegate) reaches the assignment page from the register's rows, the
    register line and the inbox; the clerk, who may not assign, gets no such link."""
    entry = services.incoming_register_paper(
        actor=finance_clerk, data=make_pdf(), issuer_name="UBND huyện Lục Nam",
        code_number="3", code_notation="UBND", subject="Báo cáo", recipient_user=finance_head)
    target = f'href="/work/incoming/{entry.pk}/#assign" data-testid="assign-link"'
    head = _client(finance_head)
    for url in ("/incoming/register/", f"/incoming/entry/{entry.pk}/", "/incoming/"):
        assert target in head.get(url).content.decode(), url
    clerk = _client(finance_clerk)
    for url in ("/incoming/register/", f"/incoming/entry/{entry.pk}/", "/incoming/"):
        assert 'data-testid="assign-link"' not in clerk.get(url).content.decode(), url
    assert head.get(f"/work/incoming/{entry.pk}/").status_code == 200
