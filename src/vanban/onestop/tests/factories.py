"""Builders for one-stop tests: a procedure with steps and papers, and real PDF bytes. Not a
test module; other one-stop tests may use it too."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanban.directory.models import Agency, Unit
from vanban.onestop.models import (
    DocumentForm,
    LimitUnit,
    OnlineLevel,
    Procedure,
    ProcedureStep,
    RequiredDocument,
    StepRole,
)


def make_pdf(text: str = "Giay to thu") -> bytes:
    """A real one-page PDF."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 720, text.encode("ascii", "ignore").decode())
    page.showPage()
    page.save()
    return buffer.getvalue()


def make_procedure(agency: Agency, *, code: str = "1.001234", limit: str = "5",
                   unit: Unit | None = None, joint: Agency | None = None,
                   joint_unit: Unit | None = None) -> Procedure:
    """A procedure of ``agency``: two papers (one mandatory) and three steps — the handling
    unit, the joint agency when given, the leader's approval."""
    procedure = Procedure.objects.create(
        agency=agency, code=code, name="Cấp giấy phép thử nghiệm", sector="Thử nghiệm",
        deciding_body=agency.name, limit_value=Decimal(limit),
        limit_unit=LimitUnit.WORKING_DAYS, fee="50.000 đồng", result="Giấy phép",
        online_level=OnlineLevel.PARTIAL, channels=["counter", "online", "post"])
    RequiredDocument.objects.create(procedure=procedure, order=1, name="Đơn đề nghị (Mẫu 01)",
                                    form=DocumentForm.ORIGINAL, quantity=1, mandatory=True)
    RequiredDocument.objects.create(procedure=procedure, order=2, name="Giấy ủy quyền",
                                    form=DocumentForm.CERTIFIED_COPY, mandatory=False)
    order = 1
    ProcedureStep.objects.create(procedure=procedure, order=order, unit=unit,
                                 role=StepRole.HANDLING, time_value=Decimal(2),
                                 description="Thẩm định hồ sơ")
    if joint is not None:
        order += 1
        ProcedureStep.objects.create(procedure=procedure, order=order, agency=joint,
                                     unit=joint_unit, role=StepRole.JOINT,
                                     time_value=Decimal(1), description="Cho ý kiến liên thông")
    ProcedureStep.objects.create(procedure=procedure, order=order + 1, role=StepRole.APPROVING,
                                 time_value=Decimal("0.5"), description="Phê duyệt kết quả")
    return procedure
