"""The demo's PKI: a root, the provincial issuing CA, the local TSA, one certificate per agency.

Called by the demo loader (``vanban demo load``); safe to call again (reuses what exists).
"""

from __future__ import annotations

from vanban.directory.models import Agency
from vanban.signatures import selectors, services
from vanban.signatures.models import CaKind, CertificateAuthority


def demo_pki_load(*, agencies: list[Agency]) -> None:
    """Create the demo PKI if missing and give every listed agency an active certificate."""
    if not CertificateAuthority.objects.filter(demo=True, kind=CaKind.ROOT).exists():
        services.ca_create_demo(actor=None)
    for agency in agencies:
        if selectors.active_certificate(agency) is None:
            services.certificate_issue(actor=None, agency=agency)
