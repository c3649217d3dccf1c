"""R11.1(a), R11.2 on the pages: the desk sends a dossier to another agency's desk from the
dossier page, follows the sending there (the clerk's draft, the hub's delivery, what the other
desk did), and the other desk finds it in "Hồ sơ do cơ quan khác chuyển đến", takes it in with
its own code and receipt, or sends it back with the reason. Bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.exchange.models import Delivery
from vanban.exchange.services import transmission_send
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.onestop.models import Dossier, DossierEvent
from vanban.onestop.tests.test_forwarding import T0, Pair
from vanban.registry import services as registry
from vanban.registry.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_agency: Any, make_user: Any) -> Pair:
    return Pair(make_agency, make_user)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _send_from_page(pair: Pair) -> Document:
    """The commune's officer posts "Chuyển hồ sơ" to the district; the clerk numbers and sends
    the draft; the hub delivers it."""
    officer = _client(pair.officer)
    ref = pair.dossier.pk
    page = _page(officer, f"/onestop/{ref}/")
    assert 'data-action="send_to_agency"' in page
    assert f'<option value="{pair.district.pk}">' in page
    assert f'<option value="{pair.commune.pk}">' not in page  # never the own desk
    response = officer.post(f"/onestop/{ref}/thao-tac/send_to_agency/",
                            {"target": pair.district.pk, "note": "Thuộc thẩm quyền huyện"})
    assert response.status_code == 302
    document = Document.objects.get()
    page = _page(officer, f"/onestop/{ref}/")
    assert "Chờ văn thư vào sổ và gửi" in page
    assert "UBND huyện Yên Thế" in page
    assert "Thuộc thẩm quyền huyện" in page
    event = DossierEvent.objects.get(dossier=pair.dossier, action="send_to_agency")
    assert event.to_agency == pair.district
    assert event.from_state == event.to_state == "submitted"
    with clock.frozen(T0):
        document = registry.document_register(actor=pair.clerk, document=document)
        document = registry.document_mark_ready(actor=pair.clerk, document=document)
        transmission_send(actor=pair.clerk, document=document)
        deliver_internal_batch()
    assert "Đã đến" in _page(officer, f"/onestop/{ref}/")
    return document


def test_desk_sends_and_the_other_desk_accepts_with_its_own_code(pair: Pair) -> None:
    """R11.1(a), R11.2: sent from the page; the district's officer sees it on the desk home and
    in its list, picks its procedure, names each file's paper and accepts: a dossier of channel
    *agency* with the district's own code and due time; the commune's page shows it taken in."""
    _send_from_page(pair)
    delivery = Delivery.objects.get(recipient=pair.district)
    district = _client(pair.district_officer)
    assert "1 hồ sơ do cơ quan khác chuyển đến đang chờ tiếp nhận." in _page(district, "/onestop/")
    listing = _page(district, "/onestop/chuyen-den/")
    assert f"/onestop/chuyen-den/{delivery.uid}/" in listing
    assert "Ngô Văn Hải" in listing
    url = f"/onestop/chuyen-den/{delivery.uid}/"
    page = _page(district, url)
    assert "Thuộc thẩm quyền huyện" in page
    assert 'data-testid="no-procedure"' in page
    assert f'href="{url}tep/0/"' in page
    paper = district.get(f"{url}tep/0/")  # the officer checks the paper before deciding
    assert paper.status_code == 200
    assert paper["Content-Type"] == "application/pdf"
    assert paper.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="document.downloaded",
                                     object_id=str(delivery.uid)).count() == 1
    assert district.get(f"{url}tep/9/").status_code == 404
    procedure = pair.district_procedure
    page = _page(district, f"{url}?procedure={procedure.pk}")
    assert 'data-testid="take-form"' in page
    mandatory = procedure.required_documents.get(mandatory=True)
    response = district.post(url, {"procedure": procedure.pk, "name": "Ngô Văn Hải",
                                   "decision": "accept", "paper-0": mandatory.pk})
    assert response.status_code == 302
    taken = Dossier.objects.get(desk=pair.district)
    assert response["Location"] == f"/onestop/{taken.code}/"
    assert (taken.channel, taken.state) == ("agency", "accepted")
    assert taken.code
    assert taken.code.startswith(pair.district.code)
    assert taken.due_at is not None
    assert "Mẫu 01" in _page(district, f"/onestop/{taken.code}/")
    assert "Không có hồ sơ nào đang chờ." in _page(district, "/onestop/chuyen-den/")
    sender_page = _page(_client(pair.officer), f"/onestop/{pair.dossier.pk}/")
    assert "Cơ quan nhận đã tiếp nhận thành hồ sơ" in sender_page
    assert taken.code in sender_page
    pair.dossier.refresh_from_db()
    assert pair.dossier.state == "transferred"  # the sending desk's copy ends, taken in
    assert "Đã chuyển cơ quan khác" in _page(_client(pair.officer), f"/onestop/{pair.dossier.pk}/")


def test_acceptance_missing_a_paper_leaves_no_dossier(pair: Pair) -> None:
    """R11.2: accepting with the mandatory paper not named is refused with the missing paper,
    and the forwarded dossier still waits (nothing written)."""
    _send_from_page(pair)
    delivery = Delivery.objects.get(recipient=pair.district)
    district = _client(pair.district_officer)
    url = f"/onestop/chuyen-den/{delivery.uid}/"
    response = district.post(url, {"procedure": pair.district_procedure.pk, "name": "Ngô Văn Hải",
                                   "decision": "accept", "paper-0": ""}, follow=True)
    assert "Hồ sơ còn thiếu giấy tờ bắt buộc" in response.content.decode()
    assert not Dossier.objects.filter(desk=pair.district).exists()
    assert f"/onestop/chuyen-den/{delivery.uid}/" in _page(district, "/onestop/chuyen-den/")


def test_other_desk_sends_it_back_with_the_reason(pair: Pair) -> None:
    """R11.2: an invalid forwarded dossier goes back with its reason (the hub's rejection, 02):
    without a reason nothing changes; with one, the sending desk's page shows it."""
    _send_from_page(pair)
    delivery = Delivery.objects.get(recipient=pair.district)
    district = _client(pair.district_officer)
    back = f"/onestop/chuyen-den/{delivery.uid}/tra-lai/"
    response = district.post(back, {"reason": ""}, follow=True)
    assert "Trả lại hồ sơ phải ghi rõ lý do" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == "01"
    response = district.post(back, {"reason": "Không thuộc thẩm quyền của huyện"})
    assert response.status_code == 302
    assert response["Location"] == "/onestop/chuyen-den/"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == ("02", "Không thuộc thẩm quyền của huyện")
    assert "Không có hồ sơ nào đang chờ." in _page(district, "/onestop/chuyen-den/")
    assert district.get(f"/onestop/chuyen-den/{delivery.uid}/").status_code == 404
    sender_page = _page(_client(pair.officer), f"/onestop/{pair.dossier.pk}/")
    assert "Không thuộc thẩm quyền của huyện" in sender_page
    assert "Từ chối tiếp nhận" in sender_page


def test_bad_target_and_strangers_change_nothing(pair: Pair) -> None:
    """No target, the own desk or an agency without a desk: a clear message and no draft; the
    sending desk's officer cannot open the district's forwarded dossier (404), and staff who
    are not one-stop officers get no list (403)."""
    officer = _client(pair.officer)
    url = f"/onestop/{pair.dossier.pk}/thao-tac/send_to_agency/"
    for target in ("", pair.commune.pk, pair.district.pk + 999):
        page = officer.post(url, {"target": target}, follow=True).content.decode()
        assert "Hãy chọn cơ quan nhận hồ sơ trong danh sách." in page
    assert not Document.objects.exists()
    assert not DossierEvent.objects.filter(action="send_to_agency").exists()
    _send_from_page(pair)
    delivery = Delivery.objects.get(recipient=pair.district)
    assert officer.get(f"/onestop/chuyen-den/{delivery.uid}/").status_code == 404
    assert officer.get(f"/onestop/chuyen-den/{delivery.uid}/tep/0/").status_code == 404
    assert officer.post(f"/onestop/chuyen-den/{delivery.uid}/tra-lai/",
                        {"reason": "x"}).status_code in (302, 404)
    delivery.refresh_from_db()
    assert delivery.state == "01"
    assert _client(pair.clerk).get("/onestop/chuyen-den/").status_code == 403
