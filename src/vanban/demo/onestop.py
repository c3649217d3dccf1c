"""The one-stop desk of the demo province (``vanban demo load``): a dozen real-looking
procedures for a Sở (Tư pháp, Kế hoạch và Đầu tư), a district (Yên Thế) and a commune (Đồng
Tâm), one processed jointly (liên thông) by the district and the commune, and dossiers in
various states so the ``mc.*`` officers, specialists and leaders have work from the first
minute. The procedure codes are illustrative, not the national database's. A Sở's steps name
no unit (no demo account sits in its specialised unit): any of its specialists may hold them.

Every dossier goes the real way (receive, accept, transfer, …) through the services, some with
the clock set back so the demo also shows a late dossier and a returned one.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from vanban.accounts.models import User
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.onestop import services
from vanban.onestop.models import Channel, Dossier, Procedure
from vanban.onestop.services.procedures import (
    DocumentSpec,
    ProcedureSpec,
    StepSpec,
    procedure_save,
)

D = Decimal
_FORM = "Tờ khai theo mẫu"
_ID = "Bản sao Căn cước công dân"

# (agency slug, spec) — steps name the agency's own units; the joint step names the commune.
_PROCEDURES: tuple[tuple[str, ProcedureSpec], ...] = (
    ("stp", ProcedureSpec(
        code="1.TP.001", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        sector="Lý lịch tư pháp", deciding_body="Sở Tư pháp", limit_value=D(10),
        fee="200.000 đồng/lần", result="Phiếu lý lịch tư pháp", result_type_code="LLTP",
        online_level="full", channels=("counter", "online", "post"),
        steps=(StepSpec(1, D(7), description="Phòng Hành chính tư pháp: tra cứu, xác minh"),
               StepSpec(2, D(1), role="approving", description="Ký Phiếu lý lịch tư pháp")),
        documents=(DocumentSpec(_FORM, "original"), DocumentSpec(_ID, "copy"),
                   DocumentSpec("Bản sao sổ hộ khẩu (nếu có)", "copy", mandatory=False)))),
    ("stp", ProcedureSpec(
        code="1.TP.002", name="Cấp lại Thẻ công chứng viên", sector="Công chứng",
        deciding_body="Sở Tư pháp", limit_value=D(5), fee="Không",
        result="Thẻ công chứng viên", online_level="partial",
        steps=(StepSpec(1, D(4), description="Phòng Hành chính tư pháp: thẩm định hồ sơ"),
               StepSpec(2, D(1), role="approving", description="Ký cấp thẻ")),
        documents=(DocumentSpec("Đơn đề nghị cấp lại thẻ", "original"),
                   DocumentSpec("Ảnh chân dung 2x3", "original", quantity=2)))),
    ("stp", ProcedureSpec(
        code="1.TP.003", name="Đăng ký hoạt động Văn phòng công chứng", sector="Công chứng",
        deciding_body="Sở Tư pháp", limit_value=D(10), fee="1.000.000 đồng",
        result="Giấy đăng ký hoạt động", online_level="partial",
        steps=(StepSpec(1, D(8), description="Phòng Hành chính tư pháp: thẩm định, kiểm tra"),
               StepSpec(2, D(2), role="approving", description="Ký giấy đăng ký")),
        documents=(DocumentSpec("Đơn đăng ký hoạt động", "original"),
                   DocumentSpec("Quyết định cho phép thành lập", "certified_copy"),
                   DocumentSpec("Giấy tờ chứng minh trụ sở", "certified_copy")))),
    ("stp", ProcedureSpec(
        code="1.TP.004", name="Chứng thực chữ ký người dịch", sector="Chứng thực",
        deciding_body="Sở Tư pháp", limit_value=D(4), limit_unit="working_hours",
        fee="10.000 đồng/trường hợp", result="Bản dịch được chứng thực",
        channels=("counter",),
        steps=(StepSpec(1, D(3), "working_hours", description="Kiểm tra bản dịch"),
               StepSpec(2, D(1), "working_hours", role="approving", description="Ký chứng thực")),
        documents=(DocumentSpec("Bản dịch", "original"), DocumentSpec("Giấy tờ cần dịch",
                                                                       "copy")))),
    ("skhdt", ProcedureSpec(
        code="1.KH.001", name="Đăng ký thành lập doanh nghiệp tư nhân",
        sector="Thành lập và hoạt động của doanh nghiệp", deciding_body="Sở Kế hoạch và Đầu tư",
        limit_value=D(3), fee="50.000 đồng", result="Giấy chứng nhận đăng ký doanh nghiệp",
        result_type_code="GCNDKDN", online_level="full", channels=("counter", "online"),
        steps=(StepSpec(1, D("2.5"), description="Phòng Đăng ký kinh doanh: xử lý hồ sơ"),
               StepSpec(2, D("0.5"), role="approving", description="Ký giấy chứng nhận")),
        documents=(DocumentSpec("Giấy đề nghị đăng ký doanh nghiệp", "original"),
                   DocumentSpec(_ID, "copy")))),
    ("skhdt", ProcedureSpec(
        code="1.KH.002", name="Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        sector="Thành lập và hoạt động của doanh nghiệp", deciding_body="Sở Kế hoạch và Đầu tư",
        limit_value=D(3), fee="50.000 đồng", result="Giấy chứng nhận đăng ký doanh nghiệp",
        online_level="full", channels=("counter", "online", "post"),
        steps=(StepSpec(1, D(2), description="Phòng Đăng ký kinh doanh: xử lý hồ sơ"),
               StepSpec(2, D(1), role="approving", description="Ký giấy chứng nhận")),
        documents=(DocumentSpec("Thông báo thay đổi nội dung đăng ký", "original"),))),
    ("yenthe", ProcedureSpec(
        code="2.HT.001", name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector="Xây dựng",
        deciding_body="UBND huyện Yên Thế", limit_value=D(15), fee="75.000 đồng",
        result="Giấy phép xây dựng", online_level="partial",
        steps=(StepSpec(1, D(3), unit="TCKH", description="Thẩm định hồ sơ"),
               StepSpec(2, D(5), role="joint", agency="dongtam.yenthe", unit="DCXD",
                        description="Xác minh hiện trạng, ranh giới thửa đất (liên thông xã)"),
               StepSpec(3, D(5), unit="TCKH", description="Tổng hợp, dự thảo giấy phép"),
               StepSpec(4, D(2), role="approving", description="Ký giấy phép")),
        documents=(DocumentSpec("Đơn đề nghị cấp giấy phép xây dựng", "original"),
                   DocumentSpec("Giấy chứng nhận quyền sử dụng đất", "certified_copy"),
                   DocumentSpec("Bản vẽ thiết kế", "original", quantity=2)))),
    ("yenthe", ProcedureSpec(
        code="2.HT.002", name="Cấp Giấy chứng nhận đăng ký hộ kinh doanh",
        sector="Thành lập và hoạt động của hộ kinh doanh", deciding_body="UBND huyện Yên Thế",
        limit_value=D(3), fee="100.000 đồng", result="Giấy chứng nhận đăng ký hộ kinh doanh",
        online_level="full", channels=("counter", "online"),
        steps=(StepSpec(1, D(2), unit="TCKH", description="Xử lý hồ sơ"),
               StepSpec(2, D(1), role="approving", description="Ký giấy chứng nhận")),
        documents=(DocumentSpec("Giấy đề nghị đăng ký hộ kinh doanh", "original"),
                   DocumentSpec(_ID, "copy")))),
    ("yenthe", ProcedureSpec(
        code="2.HT.003", name="Chứng thực bản sao từ bản chính", sector="Chứng thực",
        deciding_body="UBND huyện Yên Thế", limit_value=D(0), fee="2.000 đồng/trang",
        result="Bản sao được chứng thực", channels=("counter",),
        documents=(DocumentSpec("Bản chính giấy tờ", "original"),))),
    ("dongtam.yenthe", ProcedureSpec(
        code="3.XA.001", name="Đăng ký khai sinh", sector="Hộ tịch",
        deciding_body="UBND xã Đồng Tâm", limit_value=D(0), fee="Miễn lệ phí",
        result="Giấy khai sinh", online_level="full", channels=("counter", "online"),
        steps=(StepSpec(1, D(0), unit="VP", description="Ghi sổ hộ tịch, in giấy khai sinh"),),
        documents=(DocumentSpec(_FORM, "original"),
                   DocumentSpec("Giấy chứng sinh", "original")))),
    ("dongtam.yenthe", ProcedureSpec(
        code="3.XA.002", name="Đăng ký kết hôn", sector="Hộ tịch",
        deciding_body="UBND xã Đồng Tâm", limit_value=D("0.5"), fee="Miễn lệ phí",
        result="Giấy chứng nhận kết hôn", online_level="partial",
        steps=(StepSpec(1, D("0.5"), unit="VP", description="Kiểm tra, ghi sổ"),),
        documents=(DocumentSpec(_FORM, "original"), DocumentSpec(_ID, "copy", quantity=2)))),
    ("dongtam.yenthe", ProcedureSpec(
        code="3.XA.003", name="Cấp Giấy xác nhận tình trạng hôn nhân", sector="Hộ tịch",
        deciding_body="UBND xã Đồng Tâm", limit_value=D(3), fee="Miễn lệ phí",
        result="Giấy xác nhận tình trạng hôn nhân", online_level="full",
        channels=("counter", "online"),
        steps=(StepSpec(1, D(2), unit="VP", description="Xác minh"),
               StepSpec(2, D(1), role="approving", description="Ký giấy xác nhận")),
        documents=(DocumentSpec(_FORM, "original"),))),
)


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, text.encode("ascii", "ignore").decode() or "Ho so")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _agency(slug: str) -> Agency | None:
    return Agency.objects.filter(mailbox__startswith=f"{slug}@").first()


def _staff(agency: Agency, role: Role, prefix: str = "") -> Any:
    rows = User.objects.filter(agency=agency, roles__role=role, is_active=True)
    if prefix:
        rows = rows.filter(username__startswith=prefix)
    return rows.order_by("username").first()


def _working_days_ago(days: int) -> datetime:
    """09:00 local, ``days`` weekdays before today."""
    day = clock.local_now().date()
    while days > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime.combine(day, time(9), clock.VN_TZ)


def _with_slugs(spec: ProcedureSpec) -> ProcedureSpec:
    """Joint steps name the commune by slug here; the catalogue wants its code."""
    steps = []
    for step in spec.steps:
        joint = _agency(step.agency) if step.agency else None
        steps.append(StepSpec(step.order, step.time_value, step.time_unit, step.role,
                              joint.code if joint else "", step.unit, step.description))
    return replace(spec, steps=tuple(steps))


def _receive(procedure: Procedure, officer: Any, name: str, *, complete: bool = True,
             channel: Channel = Channel.COUNTER) -> Dossier:
    papers = [services.Paper(parts=[_pdf(d.name)], filename=f"giay-to-{d.order}.pdf",
                             required_document_id=d.pk)
              for d in procedure.required_documents.all() if complete or not d.mandatory]
    return services.dossier_receive(
        actor=None if channel == Channel.ONLINE else officer, desk=procedure.agency,
        procedure=procedure, channel=channel, papers=papers,
        applicant=services.Applicant(name=name, id_number="024090001234",
                                     address="Bắc Giang", phone="0912345678"))


def _dossiers(procedures: dict[str, Procedure]) -> int:
    """Dossiers in the states the desks meet every day."""
    made = 0
    lltp, dn, gpxd, khaisinh = (procedures.get(c) for c in
                                ("1.TP.001", "1.KH.001", "2.HT.001", "3.XA.001"))
    if lltp is not None:
        officer, head = _staff(lltp.agency, Role.ONESTOP), _staff(lltp.agency, Role.HEAD)
        specialist = _staff(lltp.agency, Role.SPECIALIST, "cv1")
        _receive(lltp, officer, "Nguyễn Thị Hoa")  # waits for the check
        partial = _receive(lltp, officer, "Trần Văn Bình", complete=False)
        services.dossier_request_intake_supplement(
            actor=officer, dossier=partial, items=[d.name for d in
                                                   services.missing_documents(partial)],
            reason="Thiếu giấy tờ bắt buộc")
        with clock.frozen(_working_days_ago(6)):
            working = services.dossier_accept(
                actor=officer, dossier=_receive(lltp, officer, "Lê Minh Châu")).dossier
            services.dossier_transfer(actor=officer, dossier=working,
                                      holder_id=specialist.pk if specialist else None)
        with clock.frozen(_working_days_ago(14)):  # late: waits for Mẫu 04
            late = services.dossier_accept(
                actor=officer, dossier=_receive(lltp, officer, "Phạm Quốc Dũng")).dossier
            services.dossier_transfer(actor=officer, dossier=late)
        with clock.frozen(_working_days_ago(9)):
            done = services.dossier_accept(
                actor=officer, dossier=_receive(lltp, officer, "Hoàng Thu Giang")).dossier
            services.dossier_transfer(actor=officer, dossier=done)
            services.dossier_hand_over(actor=officer, dossier=done)
            services.dossier_approve(actor=head, dossier=done, note="Đồng ý cấp")
            services.dossier_result_ready(actor=officer, dossier=done)
        services.dossier_return_result(actor=officer, dossier=done)
        made += 5
    if dn is not None:
        officer = _staff(dn.agency, Role.ONESTOP)
        _receive(dn, officer, "Công ty TNHH Hải Nam (đang thành lập)", channel=Channel.ONLINE)
        made += 1
    if gpxd is not None:  # the joint one: now at the commune's land officer
        officer = _staff(gpxd.agency, Role.ONESTOP)
        with clock.frozen(_working_days_ago(4)):
            permit = services.dossier_accept(
                actor=officer, dossier=_receive(gpxd, officer, "Giáp Văn Khoa")).dossier
            services.dossier_transfer(actor=officer, dossier=permit)
            services.dossier_hand_over(actor=officer, dossier=permit,
                                       note="Chuyển UBND xã Đồng Tâm xác minh hiện trạng")
        made += 1
    if khaisinh is not None:
        officer = _staff(khaisinh.agency, Role.ONESTOP)
        _receive(khaisinh, officer, "Thân Văn Long")
        made += 1
    return made


def demo_onestop_load() -> tuple[int, int]:
    """Load the procedures and dossiers; skips agencies missing from the directory. Returns
    (procedures, dossiers)."""
    procedures: dict[str, Procedure] = {}
    for slug, spec in _PROCEDURES:
        agency = _agency(slug)
        if agency is None:
            continue
        procedures[spec.code] = procedure_save(actor=None, agency=agency,
                                               spec=_with_slugs(spec))[0]
    return len(procedures), _dossiers(procedures)
