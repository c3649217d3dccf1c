"""Writes of the signatures app (R9.1, R15.1, R15.2, R21.1): trust store, CAs, agency
certificates and PDF signing. Every mutating service is permission-checked and audited."""

from vanban.signatures.services.authority import (
    DemoPki,
    ca_create_demo,
    crl_publish,
    crl_refresh_due,
    trust_add,
)
from vanban.signatures.services.certificates import (
    Pkcs11Ref,
    certificate_issue,
    certificate_register,
    certificate_renew,
    certificate_revoke,
)
from vanban.signatures.services.signing import SignedPdf, pdf_sign, token_pin_check

__all__ = [
    "DemoPki",
    "Pkcs11Ref",
    "SignedPdf",
    "ca_create_demo",
    "certificate_issue",
    "certificate_register",
    "certificate_renew",
    "certificate_revoke",
    "crl_publish",
    "crl_refresh_due",
    "pdf_sign",
    "token_pin_check",
    "trust_add",
]
