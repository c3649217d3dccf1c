"""The one search (issue 13): folded words, visibility per role, filters, paging, export."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from vanban.exchange.tests.conftest import make_pdf
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import incoming_register_paper
from vanban.registry import services as registry
from vanban.registry.models import Document
from vanban.search import export, selectors
from vanban.search.query import SearchQuery
from vanban.workflow.models import LineRole, WorkFile
from vanban.workflow.services import WorkFileInput, assignment_create, work_file_create
from vanban.workflow.services.workfiles import work_file_update
from vanban.workflow.tests.conftest import line

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _incoming(clerk: Any, subject: str, issuer: str = "UBND thành phố Hà Nội", **more: Any
              ) -> IncomingDocument:
    return incoming_register_paper(actor=clerk, data=make_pdf("Cong van"), subject=subject,
                                   issuer_name=issuer, code_number="45",
                                   code_notation="UBND-KT", type_name="Công văn", **more)


def _outgoing(actor: Any, agency: Any, subject: str) -> Document:
    return registry.document_create(actor=actor, agency=agency, type_code="cong_van",
                                    subject=subject, full_name="Nguyễn Văn Đông")


def _hits(actor: Any, kind: str, text: str = "", **filters: Any) -> list[Any]:
    query = SearchQuery(text=text, kind=kind, **filters)
    return list(selectors.rows_of(actor, query, kind).order_by("-pk"))


def test_folded_words_find_vietnamese(clerk, agency, paper):
    """Issue 13: "Ha Noi" finds "Hà Nội", "dong" finds "Đông", "Bac Giang" finds "Bắc Giang"."""
    hanoi = _incoming(clerk, "Về việc tổ chức hội nghị tại Bắc Giang")
    draft = _outgoing(clerk, agency, "Báo cáo tình hình mùa đông")
    assert _hits(clerk, "incoming", "ha noi") == [hanoi]
    assert _hits(clerk, "incoming", "BAC   giang") == [hanoi]
    assert _hits(clerk, "incoming", "Hà Nội hội nghị") == [hanoi]
    assert _hits(clerk, "outgoing", "dong") == [draft]  # "đông" in the subject and the signer
    assert _hits(clerk, "outgoing", "Nguyen van dong") == [draft]
    assert _hits(clerk, "incoming", "du toan ngan sach") == [paper]
    assert _hits(clerk, "incoming", "ha noi xyz") == []


def test_number_notation_and_dates_are_searched(clerk, paper):
    """Issue 13: the issuer's number and notation, the arrival number and a date as dd/mm/yyyy
    are words of the search too."""
    assert _hits(clerk, "incoming", "123/BTC-NSNN") == [paper]
    assert _hits(clerk, "incoming", "btc-nsnn") == [paper]
    assert _hits(clerk, "incoming", paper.arrival_date.strftime("%d/%m/%Y")) == [paper]


def test_editing_a_subject_updates_the_search_text(clerk, agency):
    """The column is written by the owner's save: an edited subject is found by its new words,
    no longer by its old ones; a work file's edited title likewise."""
    draft = _outgoing(clerk, agency, "Về việc mua sắm thiết bị")
    registry.document_update(actor=clerk, document=draft, type_code="cong_van",
                             subject="Về việc sửa chữa trụ sở Đồng Tâm")
    assert _hits(clerk, "outgoing", "dong tam") == [draft]
    assert _hits(clerk, "outgoing", "mua sam") == []
    created = work_file_create(actor=clerk, data=WorkFileInput(
        notation="01.VT", title="Hồ sơ hội nghị", retention_years=5))
    work_file_update(actor=clerk, work_file=created, data=WorkFileInput(
        notation="01.VT", title="Hồ sơ đấu thầu", retention_years=5))
    assert _hits(clerk, "files", "dau thau") == [created]
    assert WorkFile.objects.get(pk=created.pk).search_text.startswith("2026.01.vt ho so dau thau")


def test_registration_writes_the_number_into_the_search_text(clerk, agency):
    """A number given at registration (on PostgreSQL by a database function, not save()) is
    searchable at once."""
    draft = _outgoing(clerk, agency, "Về việc kiểm tra")
    document = registry.document_register(actor=clerk, document=draft)
    stored = Document.objects.get(pk=document.pk).search_text
    assert document.number_text.lower().replace("đ", "d") in stored


def test_visibility_per_role(head, clerk, specialist, specialist2, stranger, budget,  # noqa: PLR0917 - fixtures
                             agency, paper):
    """R16.2, R16.5, R1.1: the keepers (clerk, head) find the agency's incoming documents and
    lines, a specialist only what they hold, another agency nothing; outgoing documents and work
    files are the agency's."""
    held = _incoming(clerk, "Hà Nội: kế hoạch thanh tra")
    assignment_create(actor=head, document=held, lines=[line(LineRole.LEAD, unit=budget)])
    draft = _outgoing(clerk, agency, "Kế hoạch thanh tra năm 2027")
    for keeper in (clerk, head):
        assert set(_hits(keeper, "incoming")) == {paper, held}
        assert [x.incoming for x in _hits(keeper, "work", "thanh tra")] == [held]
    assert _hits(specialist, "incoming") == [held]  # holds the line through the unit
    assert [x.incoming for x in _hits(specialist, "work")] == [held]
    assert _hits(specialist2, "incoming") == []
    assert _hits(specialist2, "work") == []
    assert _hits(specialist2, "outgoing", "thanh tra") == [draft]
    for kind in ("outgoing", "incoming", "work", "files"):
        assert _hits(stranger, kind) == []
    page = _client(specialist2).get("/search/", {"q": "thanh tra"}).content.decode()
    assert "Kế hoạch thanh tra năm 2027" in page
    assert "Hà Nội: kế hoạch thanh tra" not in page  # not held: not even its subject
    page = _client(stranger).get("/search/", {"q": "thanh tra"}).content.decode()
    assert "thanh tra năm 2027" not in page
    assert "kế hoạch thanh tra" not in page


def test_filters_by_date_issuer_register_and_type(clerk, sender, paper):
    """Issue 13: a date range (dd/mm/yyyy), the issuer, the register and the type narrow the
    results; a bad date or a reversed range is refused in both languages and shows nothing."""
    from_sender = incoming_register_paper(actor=clerk, data=make_pdf("Gop y"), issuer=sender,
                                          issuer_name=sender.name, subject="Về việc góp ý")
    assert _hits(clerk, "incoming", issuer_id=sender.pk) == [from_sender]
    today = paper.arrival_date
    assert set(_hits(clerk, "incoming", date_from=today, date_to=today)) == {paper, from_sender}
    assert _hits(clerk, "incoming", date_to=date(2020, 1, 1)) == []
    assert len(_hits(clerk, "incoming", register_id=paper.register_id)) == 2
    assert _hits(clerk, "incoming", type_code="cong_van") == [paper]
    assert _hits(clerk, "incoming", type_code="quyet_dinh") == []
    assert _hits(clerk, "outgoing", issuer_id=sender.pk) == []
    assert _hits(clerk, "files", type_code="cong_van") == []
    client = _client(clerk)
    shown = client.get("/search/", {"q": "ngan sach", "from": today.strftime("%d/%m/%Y"),
                                    "kind": "incoming"})
    assert shown.status_code == 200
    assert paper.subject in shown.content.decode()
    bad = client.get("/search/", {"q": "ngan sach", "from": "31/02/2026"})
    assert bad.status_code == 400
    assert "không hợp lệ" in bad.content.decode()
    assert paper.subject not in bad.content.decode()
    reversed_range = client.get("/search/", {"from": "02/11/2026", "to": "01/11/2026"})
    assert reversed_range.status_code == 400


def test_keyset_paging_of_one_kind(clerk, agency):
    """Issue 13: one kind is read 50 rows a page, with a link to the next page; every kind
    together shows a few rows of each with a link to see all."""
    for number in range(53):
        _outgoing(clerk, agency, f"Thông báo Đông Hà số {number}")
    client = _client(clerk)
    first = client.get("/search/", {"q": "dong ha", "kind": "outgoing"})
    body = first.content.decode()
    assert body.count('data-testid="hit"') == 50
    assert 'data-testid="page-next"' in body
    after = first.context["results"][0].page.next_after
    second = client.get("/search/", {"q": "dong ha", "kind": "outgoing", "after": after})
    assert second.content.decode().count('data-testid="hit"') == 3
    overview = client.get("/search/", {"q": "dong ha"}).content.decode()
    assert overview.count('data-testid="hit"') == selectors.PREVIEW
    assert 'data-testid="more-outgoing"' in overview


def test_export_opens_with_openpyxl(clerk, agency, paper):
    """Issue 13: the filtered list as XLSX: Vietnamese headers, the rows, dates as dates."""
    _outgoing(clerk, agency, "Báo cáo Hà Nội")
    response = _client(clerk).get("/search/export.xlsx", {"q": "", "kind": "incoming"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    sheet = book["Văn bản đến"]
    assert sheet["A1"].value == "Số đến"
    assert sheet["G1"].value == "Trích yếu"
    assert sheet["G2"].value == paper.subject
    assert sheet["B2"].is_date
    assert sheet["B2"].number_format == "dd/mm/yyyy"
    everything = load_workbook(BytesIO(_client(clerk).get(
        "/search/export.xlsx", {"q": "ha noi"}).content))
    assert everything.sheetnames == ["Văn bản đi", "Văn bản đến", "Công việc", "Hồ sơ công việc"]
    assert everything["Văn bản đi"]["D2"].value == "Báo cáo Hà Nội"


def test_export_beyond_the_cap_is_refused(clerk, agency, monkeypatch):
    """Issue 13: an export over the documented maximum is refused with a clear message, not
    cut silently."""
    monkeypatch.setattr(export, "EXPORT_MAX", 2)
    for number in range(3):
        _outgoing(clerk, agency, f"Công văn {number}")
    response = _client(clerk).get("/search/export.xlsx", {"kind": "outgoing"})
    assert response.status_code == 400
    assert "thu hẹp bộ lọc" in response.content.decode()


def test_topbar_has_the_search_box(clerk):
    """Issue 13: every page's top bar has the one search box leading to /search/."""
    body = _client(clerk).get("/").content.decode()
    assert 'data-testid="topbar-search"' in body
    assert 'action="/search/"' in body


def test_anonymous_is_sent_to_login():
    """The search is for signed-in staff."""
    assert Client().get("/search/", {"q": "x"}).status_code == 302


def test_incoming_register_exports_its_filtered_lines(clerk, paper):
    """Issue 13: the incoming register's page offers the same XLSX export, for its year's
    register and its search (the one folded rule: "ngan sach" finds "ngân sách")."""
    other = _incoming(clerk, "Về việc hội nghị")
    client = _client(clerk)
    body = client.get("/incoming/register/", {"q": "ngan sach"}).content.decode()
    link = body.split('data-testid="register-xlsx"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert paper.subject in body
    assert other.subject not in body
    book = load_workbook(BytesIO(client.get(link.replace("&amp;", "&")).content))
    subjects = [row[6] for row in book["Văn bản đến"].iter_rows(min_row=2, values_only=True)]
    assert subjects == [paper.subject]


def test_backfill_fills_rows_written_before_the_column(clerk, agency, paper):
    """ADR 0017: the migrations' backfill gives rows that existed before the column the same
    text their save would write."""
    from vanban.core.searchable import search_text_backfill
    from vanban.incoming.search_text import incoming_search_parts
    from vanban.registry.core.search_text import document_search_parts

    draft = _outgoing(clerk, agency, "Về việc Đông Triều")
    expected = (Document.objects.get(pk=draft.pk).search_text,
                IncomingDocument.objects.get(pk=paper.pk).search_text)
    Document.objects.update(search_text="")
    IncomingDocument.objects.update(search_text="")
    assert search_text_backfill(Document, document_search_parts) == 1
    assert search_text_backfill(IncomingDocument, incoming_search_parts) == 1
    assert (Document.objects.get(pk=draft.pk).search_text,
            IncomingDocument.objects.get(pk=paper.pk).search_text) == expected
    assert "dong trieu" in expected[0]


def test_outgoing_list_uses_the_same_folding(clerk, agency):
    """ADR 0017: the outgoing list's own search box folds like the one search ("dong tam"
    finds "Đồng Tâm")."""
    draft = _outgoing(clerk, agency, "Về việc trụ sở xã Đồng Tâm")
    body = _client(clerk).get("/documents/", {"q": "xa dong tam"}).content.decode()
    assert draft.subject in body


def test_export_writes_formula_like_text_as_text(clerk):
    """A subject from another agency that starts like a formula (``=``, ``+``, ``-``, ``@``)
    reads back from the export as the literal text, never a live formula."""
    hostile = ['=HYPERLINK("http://x.example/","Mở")', "+1+2", "-3", "@SUM(A1)"]
    for subject in hostile:
        _incoming(clerk, subject)
    response = _client(clerk).get("/search/export.xlsx", {"kind": "incoming"})
    sheet = load_workbook(BytesIO(response.content))["Văn bản đến"]
    cells = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert sorted(str(cell.value) for cell in cells) == sorted(hostile)
    assert {cell.data_type for cell in cells} == {"s"}


def test_export_is_audited_with_query_and_counts(clerk, paper):
    """R16.2: each XLSX export is an audit event naming who exported, what was asked and how
    many rows of each kind left the system."""
    import json

    from vanban.audit.models import AuditEvent

    response = _client(clerk).get("/search/export.xlsx", {"q": "ngan sach"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="search.export")
    assert event.actor_username == clerk.username
    data = json.loads(event.data)
    assert data["query"] == {"text": "ngan sach"}
    assert data["rows"] == {"outgoing": 0, "incoming": 1, "work": 0, "files": 0}


def test_refused_export_is_not_audited(clerk, agency, monkeypatch):
    """An export refused for its size hands out nothing, so it records no download."""
    from vanban.audit.models import AuditEvent

    monkeypatch.setattr(export, "EXPORT_MAX", 0)
    _outgoing(clerk, agency, "Công văn")
    assert _client(clerk).get("/search/export.xlsx", {"kind": "outgoing"}).status_code == 400
    assert not AuditEvent.objects.filter(object_type="search.export").exists()


def test_issuer_filter_lists_only_issuers_the_actor_may_see(clerk, specialist, agency,
                                                             other_agency):
    """R16.2: a specialist without a line of a document is not told its issuer by the filter
    list; the register keeper sees it."""
    incoming_register_paper(actor=clerk, data=make_pdf("Cong van"), subject="Về việc phối hợp",
                            issuer=other_agency, issuer_name=other_agency.name,
                            code_number="7", code_notation="SYT", type_name="Công văn")
    assert other_agency in selectors.issuers(clerk)
    assert list(selectors.issuers(specialist)) == [agency]
