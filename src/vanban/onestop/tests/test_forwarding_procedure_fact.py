"""R11.1(a): the receiving desk reads the procedure the sending desk named in the forwarded
document's description ("Thủ tục: code - name") and offers its own current procedure with the
same code; the reading lives beside ``forwarded_facts``, the page only handles the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vanban.directory.models import Agency
from vanban.exchange.models import Delivery, Transmission
from vanban.onestop.models import Dossier, Procedure
from vanban.onestop.services.forwarding import forwarding_description
from vanban.onestop.services.from_agency import forwarded_facts, forwarded_procedure_code
from vanban.onestop.tests.factories import make_procedure
from vanban.onestop.tests.test_forwarding import Pair, forward
from vanban.registry.models import Document


def _delivery_of(dossier: Dossier, note: str = "") -> Delivery:
    """An unsaved delivery whose document carries the sending desk's description."""
    document = Document(description=forwarding_description(dossier, note))
    return Delivery(transmission=Transmission(document=document))


@pytest.mark.parametrize(("code", "name"), [
    ("1.001234", "Cấp giấy phép xây dựng"),
    ("2.002345", "Cấp phép - gia hạn - điều chỉnh"),  # the name's own " - " stays the name's
    (" 3.000111 ", "Đăng ký hộ kinh doanh"),
])
def test_the_named_procedure_code_is_read_back(code: str, name: str) -> None:
    """R11.1(a): the code the sending desk wrote comes back whole, whatever its name holds."""
    dossier = Dossier(code="H06.41-261214-0001", applicant_name="Ngô Văn Hải",
                      procedure=Procedure(code=code, name=name))
    facts = forwarded_facts(_delivery_of(dossier, note="Thủ tục: khác - giả"))
    assert forwarded_procedure_code(facts) == code.strip()


def test_no_procedure_fact_names_no_code() -> None:
    """R11.1(a): a description without the procedure (a federated delivery carries none)
    names no code, so no procedure is offered."""
    assert forwarded_procedure_code({}) == ""
    assert forwarded_procedure_code({"Người nộp": "Ngô Văn Hải"}) == ""
    assert forwarded_procedure_code({"Thủ tục": "  "}) == ""


@pytest.mark.django_db
def test_the_page_offers_the_desk_procedure_with_the_named_code(
        make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
    """R11.1(a): the district has a current procedure with the code the commune named: the
    receive page opens on it (the take-in form), without the officer picking it."""
    pair = Pair(make_agency, make_user)
    same = make_procedure(pair.district, code=pair.procedure.code)
    delivery = forward(pair)
    client = Client()
    client.force_login(pair.district_officer)
    response = client.get(f"/onestop/chuyen-den/{delivery.uid}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="take-form"' in page
    assert 'data-testid="no-procedure"' not in page
    assert response.context["procedure"] == same
