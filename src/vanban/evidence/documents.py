"""One evidence bundle per document (R7.2, R12.1, R4.3; docs/evidence.md).

A delivery bundle (:func:`vanban.evidence.services.bundle_for`) proves the transport of one
delivery. A court or an auditor asks about a *document*: was it valid when it arrived, who sent
it to whom, who registered or refused it. :func:`document_bundle_for` gathers every record whose
``document_sha256`` is the document's — every delivery and channel, and the ``verified`` records
of its verifications — each with an inclusion proof against one signed tree head, with the hub
certificate; the apps above add what they alone hold (the verification reports; on request the
PDF and the certificates and revocation data to validate it again) through
:func:`register_document_part`, since this app sits below them. The stand-alone
:mod:`vanban.evidence.verifier` checks the result with no database and no network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from vanban.core.errors import ValidationFailed, not_found
from vanban.evidence import tree, verifier
from vanban.evidence.models import EvidenceRecord
from vanban.evidence.services import _entry, head_as_dict, signed_head_for

#: (sha256, with_pdf) -> keys to add to the bundle ("verification_reports", "pdf",
#: "validation_data"); registered by apps above this one in their ``ready``.
DocumentPart = Callable[[str, bool], dict[str, Any]]
_PARTS: dict[str, DocumentPart] = {}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def register_document_part(name: str, part: DocumentPart) -> None:
    """Let an app above add its part of a document bundle (idempotent by ``name``)."""
    _PARTS[name] = part


def document_bundle(sha256: str, *, with_pdf: bool = False) -> dict[str, Any]:
    """The document bundle of the file ``sha256`` as a dict (see the module)."""
    sha256 = sha256.strip().lower()
    if not _SHA256.fullmatch(sha256):
        raise ValidationFailed("Mã băm văn bản phải là SHA-256 dạng hex.",
                               "The document digest must be a hex SHA-256.", field="sha256")
    records = list(EvidenceRecord.objects.filter(document_sha256=sha256).order_by("index"))
    if not records:
        raise not_found("bằng chứng về văn bản này", "Evidence about this document")
    head, hub = signed_head_for(records[-1].index)
    with tree.synced(head.size) as merkle:
        entries = [_entry(r, merkle.inclusion_proof(r.index, head.size)) for r in records]
    bundle: dict[str, Any] = {
        "format": verifier.DOCUMENT_FORMAT, "version": verifier.VERSION,
        "document_sha256": sha256, "hash_algorithm": "sha256",
        "signature_algorithm": "ed25519", "tree_head": head_as_dict(head),
        "hub_certificate": hub.certificate_pem, "hub_chain": hub.chain_pem,
        "records": entries,
        "verification_reports": {},
    }
    for part in _PARTS.values():
        for key, value in part(sha256, with_pdf).items():
            if isinstance(value, dict) and isinstance(bundle.get(key), dict):
                bundle[key].update(value)
            else:
                bundle[key] = value
    return bundle


def document_bundle_for(sha256: str, *, with_pdf: bool = False) -> bytes:
    """:func:`document_bundle` as JSON bytes."""
    return json.dumps(document_bundle(sha256, with_pdf=with_pdf), ensure_ascii=False,
                      indent=2).encode()
