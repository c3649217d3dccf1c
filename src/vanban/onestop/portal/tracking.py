"""Tracking by dossier code and secret (spec §11, §12): nothing without both; one answer for any
wrong pair, whether the code exists or not; at most ``portal.secret`` tries per client address
and per code (``throttle``)."""

from __future__ import annotations

from django.utils import formats, timezone

from vanban.core.errors import DomainError
from vanban.onestop.models import Dossier
from vanban.onestop.portal import selectors, throttle


class WrongPair(DomainError):
    """A code and secret that do not go together (or a code that does not exist: the same)."""

    status = 200  # the form again, with the message; no status tells codes apart
    code = "wrong_code_or_secret"

    def __init__(self) -> None:
        super().__init__(
            "Mã hồ sơ hoặc mã bí mật không đúng. Hãy kiểm tra lại giấy tiếp nhận.",
            "The dossier code or the secret is wrong. Check your receipt.")


class TooManyTries(DomainError):
    """Over the limit of tries for this address or this code."""

    status = 429
    code = "too_many_tries"

    def __init__(self, until: str) -> None:
        super().__init__(f"Bạn đã thử quá nhiều lần. Hãy thử lại sau {until}.",
                         f"Too many tries. Try again after {until}.")


def dossier_track(*, ip: str, code: str, secret: str) -> Dossier:
    """The dossier with ``code`` and ``secret``; a wrong pair counts as one try."""
    until = throttle.blocked_until(ip, code)
    if until is not None:
        raise TooManyTries(formats.time_format(timezone.localtime(until), "H:i"))
    found = selectors.matching(code, secret) if code.strip() and secret.strip() else None
    if found is None:
        throttle.failure_record(ip, code)
        raise WrongPair
    return found
