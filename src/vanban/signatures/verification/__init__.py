"""Verification of incoming PDFs (R4.2, R4.3): ``pdf_verify`` and its stored record, bound to
the channel the document came through (ADR 0011)."""

from vanban.signatures.models import ArrivalChannel, Verdict, Verification, VerificationPath
from vanban.signatures.verification.channels import VerificationChannel
from vanban.signatures.verification.services import pdf_verify, verification_of

__all__ = ["ArrivalChannel", "Verdict", "Verification", "VerificationChannel",
           "VerificationPath", "pdf_verify", "verification_of"]
