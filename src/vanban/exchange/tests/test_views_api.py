"""Pages and API of the hub: tracking (sender only), inbox (recipient only), hub admin (province
administrator and IT), sending and statuses over the API with RFC 9457 errors (R1.1, R7.1)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from vanban.core.roles import Role
from vanban.exchange import services

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_tracking_page_shows_each_recipient_with_times_and_evidence(clerk, document,
                                                                     finance_clerk):
    """R7.1: the sender sees every recipient's state, times in Vietnam time, evidence links;
    another agency's clerk gets 404 (R1.1)."""
    page = _client(clerk).get(f"/exchange/documents/{document.pk}/")
    assert page.status_code == 200
    assert b'data-testid="send"' in page.content
    _client(clerk).post(f"/exchange/documents/{document.pk}/send/")
    services.outbox_run()
    page = _client(clerk).get(f"/exchange/documents/{document.pk}/")
    text = page.content.decode()
    assert text.count('data-state="01"') == 2
    assert text.count("/evidence/delivery/") == 2
    assert "Asia/Ho_Chi_Minh" in text
    assert _client(finance_clerk).get(f"/exchange/documents/{document.pk}/").status_code == 404


def test_inbox_file_and_accept_by_page(clerk, document, finance_clerk):
    """R5.1: the recipient sees what arrived and opens the file; accepting (03) is sent to the
    incoming register's page (registration sends 03), never set directly."""
    transmission = services.transmission_send(actor=clerk, document=document)
    services.outbox_run()
    client = _client(finance_clerk)
    inbox = client.get("/exchange/inbox/")
    delivery = transmission.deliveries.get(recipient=finance_clerk.agency)
    assert str(delivery.uid) in inbox.content.decode()
    assert client.get(f"/exchange/inbox/{delivery.uid}/file.pdf").content.startswith(b"%PDF")
    answer = client.post(f"/exchange/inbox/{delivery.uid}/status/", {"code": "03"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/incoming/delivery/{delivery.uid}/"
    delivery.refresh_from_db()
    assert delivery.state == "01"
    other = transmission.deliveries.exclude(pk=delivery.pk).get()
    assert client.get(f"/exchange/inbox/{other.uid}/").status_code == 404


def test_hub_page_for_province_admin_only(clerk, document, make_user, province):
    """R1.1: the hub admin page (queues, failures, peers: every agency's traffic) is for the
    province administrator; an agency's own IT officer is refused like any other role."""
    services.transmission_send(actor=clerk, document=document)
    admin = make_user(province, roles=[Role.PROVINCE_ADMIN])
    page = _client(admin).get("/exchange/hub/")
    assert page.status_code == 200
    assert b'data-testid="queues"' in page.content
    assert _client(clerk).get("/exchange/hub/").status_code == 403
    it_officer = make_user(clerk.agency, roles=[Role.IT_OFFICER])
    assert _client(it_officer).get("/exchange/hub/").status_code == 403


def test_api_send_and_status(clerk, document, finance_clerk):
    """The API sends (201, deliveries ``sent``); the recipient cannot set 03 directly (R5.1:
    registration sends it) and rejects with 02; errors are problems (a second send is 409)."""
    api = APIClient()
    api.force_authenticate(clerk)
    created = api.post("/api/v1/exchange/transmissions/", {"document_id": document.pk},
                       format="json")
    assert created.status_code == 201
    assert {d["state"] for d in created.json()["deliveries"]} == {"sent"}
    again = api.post("/api/v1/exchange/transmissions/", {"document_id": document.pk},
                     format="json")
    assert again.status_code == 409
    assert again["Content-Type"].startswith("application/problem+json")
    services.outbox_run()
    recipient = APIClient()
    recipient.force_authenticate(finance_clerk)
    inbox = recipient.get("/api/v1/exchange/deliveries/").json()["results"]
    assert len(inbox) == 1
    refused = recipient.post(f"/api/v1/exchange/deliveries/{inbox[0]['id']}/status/",
                             {"code": "03"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "register_instead"
    assert "/api/v1/incoming/deliveries/" in refused.json()["detail"]
    for code in ("04", "05", "06"):  # R8.1: progress follows the assignment, not a button
        progress = recipient.post(f"/api/v1/exchange/deliveries/{inbox[0]['id']}/status/",
                                  {"code": code}, format="json")
        assert progress.status_code == 400
        assert progress.json()["code"] == "workflow_instead"
    answer = recipient.post(f"/api/v1/exchange/deliveries/{inbox[0]['id']}/status/",
                            {"code": "02", "reason": "Không thuộc thẩm quyền"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["rejected_at"]
    tracked = api.get(f"/api/v1/exchange/transmissions/{created.json()['id']}/").json()
    states = {d["recipient_code"]: d["state"] for d in tracked["deliveries"]}
    assert states[finance_clerk.agency.code] == "02"


def test_tracking_page_lists_what_the_clerk_sends_by_hand(clerk, sender, finance, make_agency):
    """R3.2: a recipient outside the hub (not connected: official mailbox, paper) is listed for
    the clerk to send by hand, beside the hub's own recipients."""
    from vanban.exchange.tests.conftest import ready_document

    offline = make_agency("000.00.09.H06", name="Ban Quản lý dự án", short_name="BQL",
                          connected=False, mailbox="bql@example.gov.vn")
    document = ready_document(clerk, sender, [finance, offline])
    text = _client(clerk).get(f"/exchange/documents/{document.pk}/").content.decode()
    assert 'data-testid="by-hand"' in text
    by_hand = text[text.index('data-testid="by-hand"'):]
    assert "Ban Quản lý dự án" in by_hand.split("</div>")[0]
    assert "Sở Tài chính" not in by_hand.split("</div>")[0]


def test_sent_list_and_inbox_page_with_a_visible_next_page(clerk, finance, finance_clerk,
                                                          monkeypatch):
    """Issue 13 observed 6: the sent list and the inbox are never cut silently; each page ends
    with a link to the next one (keyset), the last page says the list is complete."""
    from vanban.exchange import views
    from vanban.exchange.tests.conftest import ready_document

    monkeypatch.setattr(views, "PAGE", 1)
    first, second = (services.transmission_send(
        actor=clerk, document=ready_document(clerk, clerk.agency, [finance])) for _ in range(2))
    services.outbox_run()
    for user, url, newest, oldest in (
            (clerk, "/exchange/", second.number_text, first.number_text),
            (finance_clerk, "/exchange/inbox/", str(second.deliveries.get().uid),
             str(first.deliveries.get().uid))):
        client = _client(user)
        page = client.get(url).content.decode()
        assert newest in page
        assert oldest not in page
        assert 'data-testid="page-next"' in page
        after = page.split('rel="next"')[0].rsplit("after=", 1)[1].split('"')[0]
        rest = client.get(f"{url}?after={after}").content.decode()
        assert oldest in rest
        assert 'data-testid="page-end"' in rest
