"""What the portal writes: an online filing (through the desk's one intake) and a rating.

An online filing is registered as DVCQG registers one: it gets its dossier code and tracking
secret when it is filed (status 1, Mới đăng ký), so the applicant can follow it from the first
minute; acceptance at the desk keeps that code (spec §6: "a code from DVCQG is kept").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.core.text import clean_text
from vanban.onestop.core.codes import hash_secret, new_secret
from vanban.onestop.core.states import TERMINAL
from vanban.onestop.models import Channel, Dossier, FileStage, Procedure, ServiceRating
from vanban.onestop.portal import config, selectors
from vanban.onestop.selectors import papers_missing
from vanban.onestop.services import Applicant, Paper, dossier_receive
from vanban.onestop.services.intake import store_papers
from vanban.onestop.services.numbering import code_issue, dvcqg_identifier

OBJECT_TYPE = "onestop.dossier"
RATING_ACTION = "onestop.portal_rating"


@dataclass(frozen=True)
class Upload:
    """One file the applicant chose for one paper of the procedure."""

    required_document_id: int | None
    filename: str
    data: bytes


@dataclass(frozen=True)
class Filed:
    """An online filing: the dossier, and its secret, shown once and never stored."""

    dossier: Dossier
    secret: str


def _check_uploads(procedure: Procedure, uploads: Sequence[Upload]) -> None:
    """Every mandatory paper present, no file over the size limit: refused before anything is
    scanned or stored."""
    limit = config.max_file_bytes()
    for upload in uploads:
        if len(upload.data) > limit:
            raise ValidationFailed(
                f"Tệp “{upload.filename}” quá lớn: tối đa {limit // (1024 * 1024)} MB mỗi tệp.",
                f"The file “{upload.filename}” is too large: at most "
                f"{limit // (1024 * 1024)} MB per file.", code="file_too_large")
    missing = papers_missing(procedure, {u.required_document_id for u in uploads if u.data})
    if missing:
        names = "; ".join(missing)
        raise ValidationFailed(f"Còn thiếu giấy tờ bắt buộc: {names}.",
                               f"Mandatory papers are missing: {names}.",
                               code="missing_documents")


def _applicant(applicant: Applicant) -> Applicant:
    email = clean_text(applicant.email, 254, "thư điện tử", "e-mail address", required=True)
    try:  # one address, as Django's mail backends need it: "a@b.vn,c@d.vn" is refused
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed("Địa chỉ thư điện tử không hợp lệ.",
                               "The e-mail address is not valid.", code="bad_email") from None
    return Applicant(
        name=clean_text(applicant.name, 200, "họ tên", "name", required=True),
        id_number=clean_text(applicant.id_number, 30, "số định danh", "identity number",
                             required=True),
        address=clean_text(applicant.address, 300, "địa chỉ", "address"),
        phone=clean_text(applicant.phone, 20, "số điện thoại", "phone number"),
        email=email)


def online_file(*, procedure: Procedure, applicant: Applicant, uploads: Sequence[Upload],
                subject: str = "") -> Filed:
    """R11.1(b): a dossier filed online by its applicant, through the desk's intake (files
    typed, checked and malware-scanned like every door's), with its code and secret.

    Refused, with nothing stored, when local filing is off, the procedure is not offered online,
    a mandatory paper is missing, a file is too large or carries malware.
    """
    if not config.local_submission():
        raise Forbidden("Cổng này không nhận hồ sơ trực tuyến; hãy nộp trên Cổng Dịch vụ công "
                        "quốc gia hoặc tại bộ phận một cửa.",
                        "This portal does not take online filings; file on the national "
                        "public-service portal or at the one-stop desk.",
                        code="online_filing_off")
    if not selectors.online_allowed(procedure):
        raise ValidationFailed("Thủ tục này chưa được cung cấp trực tuyến.",
                               "This procedure is not offered online.", code="not_online")
    person = _applicant(applicant)
    _check_uploads(procedure, uploads)
    papers = [Paper(parts=[u.data], filename=u.filename,
                    required_document_id=u.required_document_id) for u in uploads if u.data]
    # Scanned first, outside the transaction: a refusal is audited in its own, which must
    # survive; the same files then pass again inside it.
    store_papers(Dossier(desk=procedure.agency, procedure=procedure), papers, actor=None,
                 stage=FileStage.INTAKE)
    secret = new_secret()
    with transaction.atomic():  # the dossier, its code and its secret, or nothing
        dossier = dossier_receive(
            actor=None, desk=procedure.agency, procedure=procedure, applicant=person,
            channel=Channel.ONLINE, subject=clean_text(subject, 500, "nội dung", "subject"),
            papers=papers)
        dossier.code = code_issue(identifier=dvcqg_identifier() or procedure.agency.code,
                                  day=clock.local_now().date())
        dossier.secret_hash = hash_secret(secret)
        dossier.save(update_fields=["code", "secret_hash"])
        audit_append(actor=None, action="onestop.portal_filed", object_type=OBJECT_TYPE,
                     object_id=dossier.pk, agency_code=dossier.desk.code,
                     data={"code": dossier.code, "procedure": procedure.code})
    return Filed(dossier=dossier, secret=secret)


def rated(dossier: Dossier) -> bool:
    """Whether the dossier's applicant already rated the service."""
    return ServiceRating.objects.filter(dossier_id=dossier.pk).exists()


def dossier_rate(*, dossier: Dossier, score: int, comment: str) -> None:
    """The applicant's rating of the service (1–5 and a comment), once per dossier, once it is
    finished.

    A :class:`ServiceRating` row (the statistics' average) and its event in the tamper-evident
    audit log, in one transaction: both or neither.
    """
    if score not in range(1, 6):
        raise ValidationFailed("Hãy chọn mức đánh giá từ 1 đến 5.",
                               "Choose a rating from 1 to 5.", code="bad_score")
    text = clean_text(comment, 1000, "nhận xét", "comment")
    if dossier.state not in TERMINAL:
        raise Conflict("Chỉ đánh giá khi hồ sơ đã giải quyết xong (đã trả kết quả, dừng, từ "
                       "chối hoặc kết thúc).",
                       "A dossier is rated only once it is finished (returned, stopped, refused "
                       "or closed).", code="not_finished")
    with transaction.atomic():
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()  # one at a time
        if rated(dossier):
            raise Conflict("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.",
                           "This dossier was already rated; each dossier is rated once.",
                           code="already_rated")
        ServiceRating.objects.create(dossier=dossier, score=score, comment=text)
        audit_append(actor=None, action=RATING_ACTION, object_type=OBJECT_TYPE,
                     object_id=dossier.pk, agency_code=dossier.desk.code,
                     data={"score": score, "comment": text, "code": dossier.code})
