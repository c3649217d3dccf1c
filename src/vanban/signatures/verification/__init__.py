"""Verification of incoming PDFs (R4.2, R4.3): ``pdf_verify`` and its stored record."""

from vanban.signatures.models import Verdict, Verification, VerificationPath
from vanban.signatures.verification.services import pdf_verify, verification_of

__all__ = ["Verdict", "Verification", "VerificationPath", "pdf_verify", "verification_of"]
