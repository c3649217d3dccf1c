"""``vanban check --deploy``: warn when no malware scanner is configured (R16.1).

``vanban.security.W001``: files arriving at any door are checked by the PDF rules only, not
for malware. Acceptable for a demonstration on one machine, never in production.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from vanban.security.scanner import configured


@register(Tags.security, deploy=True)
def malware_scanner_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """W001: production scans every arriving file; the embedded default has no scanner."""
    if configured():
        return []
    return [Warning(
        "Chưa cấu hình bộ quét mã độc: tệp đến không được quét virus / No malware scanner is "
        "configured: arriving files are not scanned for malware (R16.1).",
        hint="Cài clamav-daemon và đặt VANBAN_MALWARE_SCANNER=clamd, VANBAN_CLAMD_SOCKET "
             "(xem docs/operator-guide.md) / Install clamav-daemon and set "
             "VANBAN_MALWARE_SCANNER=clamd and VANBAN_CLAMD_SOCKET (see the operator guide).",
        id="vanban.security.W001")]
