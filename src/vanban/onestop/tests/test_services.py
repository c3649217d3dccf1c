"""One-stop services: intake, acceptance with code and due time, processing across two agencies,
supplements, refusal, extension, withdrawal — one event per transition, bad input changes
nothing (R11.1, R11.2, R11.3, R3.1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.errors import Conflict, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind, Unit
from vanban.onestop import selectors, services
from vanban.onestop.core.states import IllegalMove
from vanban.onestop.models import Channel, Dossier, DossierEvent, DossierFile, Procedure
from vanban.onestop.portal.selectors import matching as tracking_lookup
from vanban.onestop.tests.factories import make_pdf, make_procedure

pytestmark = pytest.mark.django_db


def vn(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    """A Vietnamese local time."""
    return datetime(y, m, d, h, mi, tzinfo=VN_TZ)


class World:
    """A Sở with its desk and a unit, a district agency for the joint step, and their staff."""

    def __init__(self, make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
        province = make_agency("000.00.00.H06", name="UBND tỉnh", kind=AgencyKind.PROVINCE)
        self.so = make_agency("000.00.12.H06", name="Sở Tư pháp", short_name="STP",
                              parent=province)
        self.district = make_agency("000.00.41.H06", name="UBND huyện Lục Nam",
                                    short_name="UBND", parent=province,
                                    kind=AgencyKind.DISTRICT)
        self.other = make_agency("000.00.13.H06", name="Sở Xây dựng", parent=province)
        now = clock.now()
        self.unit = Unit.objects.create(agency=self.so, code="HCTP",
                                        name="Phòng Hành chính tư pháp", created_at=now)
        self.joint_unit = Unit.objects.create(agency=self.district, code="TP",
                                              name="Phòng Tư pháp", created_at=now)
        self.officer = make_user(self.so, roles=[Role.ONESTOP])
        self.specialist = make_user(self.so, roles=[Role.SPECIALIST], unit=self.unit)
        self.head = make_user(self.so, roles=[Role.HEAD])
        self.joint_specialist = make_user(self.district, roles=[Role.SPECIALIST],
                                          unit=self.joint_unit)
        self.outsider = make_user(self.other, roles=[Role.ONESTOP, Role.HEAD])
        self.admin = make_user(None, roles=[Role.PROVINCE_ADMIN])
        self.procedure = make_procedure(self.so, unit=self.unit, joint=self.district,
                                        joint_unit=self.joint_unit)
        self.mandatory = self.procedure.required_documents.get(mandatory=True)


@pytest.fixture
def world(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> World:
    return World(make_agency, make_user)


def receive(world: World, *, papers: bool = True) -> Dossier:
    given = [services.Paper(parts=[make_pdf()], filename="don.pdf",
                            required_document_id=world.mandatory.pk)] if papers else []
    return services.dossier_receive(
        actor=world.officer, desk=world.so, procedure=world.procedure,
        applicant=services.Applicant(name="Nguyễn Văn An", id_number="024088001234",
                                     email="an@example.vn"),
        papers=given)


def actions(dossier: Dossier) -> list[str]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("id")
                .values_list("action", flat=True))


def test_counter_to_return_across_two_agencies(world: World) -> None:
    """R11.1, R11.2: received at the counter, accepted with a code and a secret, processed by
    the unit, the joint agency and the leader, and returned; one event per transition."""
    with clock.frozen(vn(2026, 12, 14, 9)):
        dossier = receive(world)
        accepted = services.dossier_accept(actor=world.officer, dossier=dossier)
    dossier = accepted.dossier
    assert re.fullmatch(r"000\.00\.12\.H06-261214-0001", dossier.code or "")
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", accepted.secret)
    assert accepted.secret not in dossier.secret_hash
    assert tracking_lookup(dossier.code or "", accepted.secret.lower()) == dossier
    assert dossier.due_at == vn(2026, 12, 21, 9)  # 5 working days later
    with clock.frozen(vn(2026, 12, 14, 10)):
        services.dossier_transfer(actor=world.officer, dossier=dossier)
    assert list(selectors.dossiers_held_by(world.specialist)) == [dossier]
    with pytest.raises(NotFound):  # the joint agency does not see it before its step … yet
        selectors.dossier_get(world.outsider, dossier.pk)
    with clock.frozen(vn(2026, 12, 15, 10)):
        services.dossier_hand_over(actor=world.specialist, dossier=dossier)
    # The joint step: the district's staff see and act on the dossier (liên thông).
    assert list(selectors.dossiers_held_by(world.joint_specialist)) == [dossier]
    assert selectors.dossier_get(world.joint_specialist, dossier.pk) == dossier
    with clock.frozen(vn(2026, 12, 16, 10)):
        services.dossier_hand_over(actor=world.joint_specialist, dossier=dossier,
                                   holder_id=world.head.pk)
    handed = DossierEvent.objects.filter(dossier=dossier, action="hand_over").order_by("id")
    assert handed[0].from_agency_id == world.so.pk
    assert handed[0].to_agency_id == world.district.pk
    assert handed[1].to_user_id == world.head.pk
    with clock.frozen(vn(2026, 12, 17, 9)):
        services.dossier_approve(actor=world.head, dossier=dossier, note="Đồng ý")
        services.dossier_result_ready(actor=world.head, dossier=dossier)
        services.dossier_return_result(actor=world.officer, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.state == "returned"
    assert dossier.finished_at == vn(2026, 12, 17, 9)
    assert actions(dossier) == ["receive", "accept", "transfer", "hand_over", "hand_over",
                                "approve", "result_ready", "return_result"]
    assert selectors.dossier_by_code(world.admin, dossier.code or "") == dossier


def test_missing_mandatory_paper_blocks_acceptance(world: World) -> None:
    """R11.2: a dossier without a mandatory paper is not accepted; nothing changes."""
    dossier = receive(world, papers=False)
    assert [d.pk for d in services.missing_documents(dossier)] == [world.mandatory.pk]
    with pytest.raises(ValidationFailed) as caught:
        services.dossier_accept(actor=world.officer, dossier=dossier)
    assert "Đơn đề nghị" in caught.value.vi
    assert "missing" in caught.value.en
    dossier.refresh_from_db()
    assert (dossier.state, dossier.code, dossier.secret_hash) == ("submitted", None, "")
    assert actions(dossier) == ["receive"]


def test_intake_supplement_once_then_accept(world: World) -> None:
    """Art. 17.1.c: one intake supplement request listing everything; a second is refused."""
    dossier = receive(world, papers=False)
    request = services.dossier_request_intake_supplement(
        actor=world.officer, dossier=dossier, items=["Đơn đề nghị (Mẫu 01)", " "])
    assert request.items == ["Đơn đề nghị (Mẫu 01)"]
    services.dossier_intake_supplement_received(
        actor=world.officer, dossier=dossier,
        papers=[services.Paper(parts=[make_pdf()], required_document_id=world.mandatory.pk)])
    with pytest.raises(Conflict) as caught:
        services.dossier_request_intake_supplement(actor=world.officer, dossier=dossier,
                                                   items=["Bản sao CCCD"])
    assert caught.value.code == "second_intake_supplement"
    accepted = services.dossier_accept(actor=world.officer, dossier=dossier)
    assert accepted.dossier.state == "accepted"
    assert DossierFile.objects.filter(dossier=dossier, stage="supplement").count() == 1


def test_refusal_keeps_reason_and_needs_one(world: World) -> None:
    """R11.2: an invalid dossier is returned with its reason (Mẫu 03); no reason, no refusal."""
    dossier = receive(world)
    with pytest.raises(ValidationFailed):
        services.dossier_refuse(actor=world.officer, dossier=dossier, reason="  ")
    services.dossier_refuse(actor=world.officer, dossier=dossier,
                            reason="Không thuộc thẩm quyền giải quyết")
    dossier.refresh_from_db()
    assert dossier.state == "refused"
    assert dossier.refusal_reason == "Không thuộc thẩm quyền giải quyết"
    with pytest.raises(IllegalMove):
        services.dossier_accept(actor=world.officer, dossier=dossier)


def test_classified_content_refused_and_nothing_kept(world: World) -> None:
    """R3.1: a classified dossier is refused at intake; no dossier, no file."""
    with pytest.raises(ValidationFailed) as caught:
        services.dossier_receive(
            actor=world.officer, desk=world.so, procedure=world.procedure,
            applicant=services.Applicant(name="Cơ quan A"), classification="mat",
            papers=[services.Paper(parts=[make_pdf()])])
    assert caught.value.code == "classified"
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0


def test_malicious_upload_refused_and_nothing_kept(world: World) -> None:
    """R11.1: a program disguised as a PDF is refused by the one intake; nothing is stored."""
    with pytest.raises(ValidationFailed):
        services.dossier_receive(
            actor=world.officer, desk=world.so, procedure=world.procedure,
            applicant=services.Applicant(name="Trần Thị B"),
            papers=[services.Paper(parts=[b"MZ\x90\x00" + b"\x00" * 200],
                                   filename="don.pdf")])
    assert Dossier.objects.count() == 0


def test_only_the_desk_officer_receives_and_outsiders_see_nothing(world: World) -> None:
    """R11.3: another agency's officer neither receives at this desk nor sees its dossiers."""
    with pytest.raises(Exception, match="not allowed"):
        services.dossier_receive(actor=world.outsider, desk=world.so,
                                 procedure=world.procedure,
                                 applicant=services.Applicant(name="X"))
    dossier = receive(world)
    with pytest.raises(NotFound):
        services.dossier_accept(actor=world.outsider, dossier=dossier)
    assert list(selectors.dossiers_visible(world.outsider)) == []
    assert list(selectors.dossiers_visible(world.officer).filter(state="submitted")) == [dossier]
    assert list(selectors.dossiers_visible(world.admin)) == [dossier]


def test_online_dossier_from_the_portal(world: World) -> None:
    """R11.1b: the portal files without an actor on the online channel; the desk accepts."""
    dossier = services.dossier_receive(
        actor=None, desk=world.so, procedure=world.procedure, channel=Channel.ONLINE,
        applicant=services.Applicant(name="Lê Văn C"),
        papers=[services.Paper(parts=[make_pdf()], required_document_id=world.mandatory.pk)])
    accepted = services.dossier_accept(actor=world.officer, dossier=dossier)
    assert tracking_lookup(accepted.dossier.code or "", accepted.secret) == dossier


def test_tracking_needs_code_and_secret(world: World) -> None:
    """§11: a wrong secret or an unknown code answer the same None."""
    accepted = services.dossier_accept(actor=world.officer, dossier=receive(world))
    code = accepted.dossier.code or ""
    assert tracking_lookup(code, accepted.secret) == accepted.dossier
    assert tracking_lookup(code, "AAAAAAAA") is None
    assert tracking_lookup("000.00.12.H06-261214-9999", accepted.secret) is None
    assert tracking_lookup(code, "") is None


def test_appraisal_supplement_restarts_the_clock(world: World) -> None:
    """§7 example 5: accepted Mon 01/06/2026 09:00, 10 days; supplement asked 03/06, received
    Thu 11/06 14:00 → due Thu 25/06/2026 14:00; the old due time stays in the history."""
    world.procedure.limit_value = 10
    world.procedure.save()
    with clock.frozen(vn(2026, 6, 1, 9)):
        dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
        services.dossier_transfer(actor=world.officer, dossier=dossier)
    assert dossier.due_at == vn(2026, 6, 15, 9)
    with clock.frozen(vn(2026, 6, 3, 10)):
        request = services.dossier_request_supplement(actor=world.specialist, dossier=dossier,
                                                      items=["Bản vẽ hiện trạng"])
    assert request.close_after == vn(2026, 6, 19, 0)  # closed after 18/06
    with clock.frozen(vn(2026, 6, 11, 14)):
        services.dossier_supplement_received(actor=world.officer, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.due_at == vn(2026, 6, 25, 14)
    assert dossier.supplement_count == 1
    old = DossierEvent.objects.get(dossier=dossier, action="request_supplement")
    assert old.due_at == vn(2026, 6, 15, 9)


def test_never_supplemented_is_closed_after_the_period(world: World) -> None:
    """Art. 19.5: no full supplement within 15 days → closed; not before."""
    with clock.frozen(vn(2026, 6, 1, 9)):
        dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
        services.dossier_transfer(actor=world.officer, dossier=dossier)
    with clock.frozen(vn(2026, 6, 3, 10)):
        services.dossier_request_supplement(actor=world.specialist, dossier=dossier,
                                            items=["Bản vẽ"])
    with clock.frozen(vn(2026, 6, 18, 16)), pytest.raises(Conflict):
        services.dossier_close_unsupplemented(actor=world.officer, dossier=dossier)
    with clock.frozen(vn(2026, 6, 18, 23)):
        assert services.dossiers_close_unsupplemented_due() == []
    with clock.frozen(vn(2026, 6, 19, 8)):
        assert services.dossiers_close_unsupplemented_due() == [dossier]
        assert services.dossiers_close_unsupplemented_due() == []
    dossier.refresh_from_db()
    assert dossier.state == "closed_no_supplement"


def test_apology_and_extension_once_late_flagged(world: World) -> None:
    """Art. 19.6: Mẫu 04 moves the due time once; a second is refused; a letter later than one
    day before the due time is flagged late."""
    with clock.frozen(vn(2026, 12, 14, 9)):
        dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
        services.dossier_transfer(actor=world.officer, dossier=dossier)
    due = dossier.due_at
    assert due is not None
    with clock.frozen(vn(2026, 12, 20, 12)):  # less than a day before 21/12 09:00
        letter = services.dossier_apologise_and_extend(
            actor=world.head, dossier=dossier, reason="Cần xác minh thực địa",
            new_due_at=vn(2026, 12, 28, 17))
    assert letter.late
    dossier.refresh_from_db()
    assert (dossier.due_at, dossier.original_due_at, dossier.extended) == (
        vn(2026, 12, 28, 17), due, True)
    with pytest.raises(Conflict) as caught:
        services.dossier_apologise_and_extend(actor=world.head, dossier=dossier,
                                              reason="Lần hai", new_due_at=vn(2027, 1, 5, 17))
    assert caught.value.code == "second_extension"
    with pytest.raises(Exception, match="not allowed"):
        services.dossier_apologise_and_extend(actor=world.specialist, dossier=dossier,
                                              reason="x", new_due_at=vn(2027, 1, 5, 17))


def test_result_needs_the_leaders_approval(world: World) -> None:
    """The approving leader signs the result: no result ready without approval."""
    dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
    services.dossier_transfer(actor=world.officer, dossier=dossier)
    with pytest.raises(Conflict):
        services.dossier_result_ready(actor=world.officer, dossier=dossier)
    with pytest.raises(Exception, match="not allowed"):
        services.dossier_approve(actor=world.specialist, dossier=dossier)
    services.dossier_refuse_after_appraisal(actor=world.head, dossier=dossier,
                                            reason="Không đủ điều kiện cấp phép")
    services.dossier_return_result(actor=world.officer, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.state == "returned"


def test_withdrawal_and_stop(world: World) -> None:
    """Art. 21: the applicant withdraws before the decision; Mẫu 05 stops the dossier."""
    dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
    services.dossier_withdraw(actor=world.officer, dossier=dossier, reason="Không còn nhu cầu")
    services.dossier_stop(actor=world.officer, dossier=dossier, returned_items="Bản chính đơn")
    dossier.refresh_from_db()
    assert dossier.state == "stopped"
    assert dossier.withdrawal.returned_items == "Bản chính đơn"
    assert actions(dossier)[-2:] == ["request_withdrawal", "stop"]


def test_history_is_append_only(world: World) -> None:
    """Art. 21.3: every status change is kept; the database refuses to rewrite one."""
    from django.db import DatabaseError, transaction

    dossier = receive(world)
    event = DossierEvent.objects.get(dossier=dossier)
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(pk=event.pk).update(note="sửa")


def test_dossier_keeps_its_procedure_version(world: World) -> None:
    """R11.3: a dossier keeps the version it was received under."""
    dossier = receive(world)
    newer = Procedure.objects.create(
        agency=world.so, code=world.procedure.code, name="Tên mới", limit_value=3,
        version=2)
    world.procedure.replaced_by = newer
    world.procedure.save()
    dossier.refresh_from_db()
    assert dossier.procedure_id == world.procedure.pk
    with pytest.raises(ValidationFailed):
        receive(world)


def test_acceptance_keeps_a_code_and_secret_given_at_filing(world: World) -> None:
    """§6: a code given at filing is kept; the secret the applicant holds still works."""
    from vanban.onestop.core.codes import hash_secret

    dossier = receive(world)
    dossier.code = "000.00.12.H06-261201-0042"
    dossier.secret_hash = hash_secret("ABCD2345")
    dossier.save(update_fields=["code", "secret_hash"])
    accepted = services.dossier_accept(actor=world.officer, dossier=dossier)
    assert accepted.secret == ""
    assert accepted.dossier.code == "000.00.12.H06-261201-0042"
    assert tracking_lookup(dossier.code, "abcd2345") == dossier


def test_fee_wait_pauses_the_clock_only_when_the_procedure_says(world: World) -> None:
    """§13 ``clock.fee_pause``: a fee wait stops the clock only for procedures that say so; the
    remaining working time resumes when the fees are paid."""
    with clock.frozen(vn(2026, 12, 14, 9)):
        dossier = services.dossier_accept(actor=world.officer, dossier=receive(world)).dossier
        services.dossier_transfer(actor=world.officer, dossier=dossier)
    assert dossier.due_at == vn(2026, 12, 21, 9)
    with clock.frozen(vn(2026, 12, 15, 9)):
        services.dossier_request_fee(actor=world.specialist, dossier=dossier,
                                     note="Nộp lệ phí 50.000 đồng")
    with clock.frozen(vn(2026, 12, 17, 9)):
        services.dossier_fee_paid(actor=world.officer, dossier=dossier)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.due_at) == ("processing", vn(2026, 12, 21, 9))
    world.procedure.fee_pauses_clock = True
    world.procedure.save()
    with clock.frozen(vn(2026, 12, 17, 10)):
        services.dossier_request_fee(actor=world.specialist, dossier=dossier, note="Phí bổ sung")
    with clock.frozen(vn(2026, 12, 18, 10)):
        services.dossier_fee_paid(actor=world.officer, dossier=dossier)
    dossier.refresh_from_db()
    # Both waits (2 working days, then 1) now count as paused: 21/12 09:00 + 3 days.
    assert dossier.due_at == vn(2026, 12, 24, 9)
