"""Mail to the applicant (spec §11: a notice on each change the applicant can see), in Vietnamese
with an English line, through Django's ``EMAIL_BACKEND``.

Which changes the applicant sees: acceptance, requests for supplements or fees, the result or a
refusal, the return, an extension (Mẫu 04), a withdrawal carried out, the closing. Hand-overs
between units and approvals stay inside. The filing itself is mailed by the portal with the
code and secret (the only time the secret exists in clear); later notices carry the code only.

:func:`dossier_event_notify` takes one event of the history: the one-stop services call it after
their transaction commits (``transaction.on_commit``), so a rolled-back change mails nothing.
A mail that fails, for whatever reason (server down, an address stored before it was checked),
is logged and not retried, and never raises: it runs after the change committed, where an
error would only turn a done change into an error page. The portal page stays the reference.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from vanban.onestop.core.states import STATE_LABELS, State
from vanban.onestop.models import Dossier, DossierEvent

logger = logging.getLogger(__name__)

VISIBLE = frozenset({
    State.INTAKE_SUPPLEMENT, State.REFUSED, State.ACCEPTED, State.SUPPLEMENT_REQUESTED,
    State.FEE_DUE, State.RESULT_READY, State.REFUSED_AFTER_APPRAISAL, State.RETURNED,
    State.STOPPED, State.CLOSED_NO_SUPPLEMENT,
})
EXTEND = "extend"
FOOTER = ("\n\nTra cứu hồ sơ tại Cổng dịch vụ công của tỉnh bằng mã hồ sơ và mã bí mật trên giấy "
          "tiếp nhận.\nTrack the dossier on the province's public-service portal with its code "
          "and the secret on the receipt.\n")


def _when(dossier: Dossier) -> str:
    if dossier.due_at is None:
        return ""
    return timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")


def _send(dossier: Dossier, subject: str, body: str) -> bool:
    if not dossier.applicant_email:
        return False
    try:
        send_mail(subject, body + FOOTER, settings.DEFAULT_FROM_EMAIL, [dossier.applicant_email])
    except Exception:  # a mail (bad stored address, server down) never breaks a page
        logger.warning("mail to the applicant of dossier %s failed", dossier.pk, exc_info=True)
        return False
    return True


def filed_notify(dossier: Dossier, secret: str) -> bool:
    """The receipt of an online filing: code and secret."""
    body = (f"Hồ sơ “{dossier.procedure.name}” đã được nộp trực tuyến.\n"
            f"Mã hồ sơ: {dossier.code}\nMã bí mật: {secret}\n"
            f"Bộ phận một cửa {dossier.desk.name} sẽ kiểm tra và trả lời trong 8 giờ làm việc.\n"
            f"Your dossier was filed online. Code: {dossier.code}; secret: {secret}.")
    return _send(dossier, f"Đã nộp hồ sơ {dossier.code} / Dossier filed", body)


def event_message(event: DossierEvent) -> tuple[str, str] | None:
    """(subject, body) of the mail for ``event``, or None when the applicant is not told."""
    dossier = event.dossier
    if event.action == EXTEND:
        vi = f"Hồ sơ được gia hạn; thời gian hẹn trả mới: {_when(dossier)}."
        en = "The dossier's appointment was moved (apology letter, Mẫu 04)."
    elif event.to_state in VISIBLE and event.to_state != event.from_state:
        vi_label, en_label = STATE_LABELS[State(event.to_state)]
        vi = f"Trạng thái hồ sơ: {vi_label}."
        en = f"Dossier status: {en_label}."
        if event.to_state == State.ACCEPTED and dossier.due_at is not None:
            vi += f" Hẹn trả kết quả: {_when(dossier)}."
        if event.note:
            vi += f"\n{event.note}"
    else:
        return None
    subject = f"Hồ sơ {dossier.code or ''}: {vi.split('.')[0]}".strip()
    return subject[:150], f"{dossier.procedure.name}\n{vi}\n{en}"


def dossier_event_notify(event_id: int) -> bool:
    """Mail the applicant about one event of the history, if it is one they see; never raises
    (it runs after the commit)."""
    try:
        return _event_notify(event_id)
    except Exception:  # see the module's note
        logger.warning("notice of dossier event %s failed", event_id, exc_info=True)
        return False


def _event_notify(event_id: int) -> bool:
    event = (DossierEvent.objects.select_related("dossier__procedure", "dossier__desk")
             .filter(pk=event_id).first())
    if event is None:
        return False
    message = event_message(event)
    if message is None:
        return False
    return _send(event.dossier, *message)
