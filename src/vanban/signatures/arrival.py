"""The validation data of a received document, kept beside it (R12.1, R4.3, ADR 0014).

When a document is verified on arrival, the certificates and revocation data the verdict rested
on (its chain, the CRLs of their issuers, what the file embedded) are stored as a JSON blob and
linked to the verification record. The received bytes are never touched. Years later, when the
issuer's CRL is gone or the certificate has been revoked for an unrelated reason, ``vanban pdf
verify --at`` judges the file as of its arrival with this data.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vanban.core import clock
from vanban.signatures import ltv
from vanban.signatures.models import ArrivalValidationData, Verification
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_read
from vanban.storage.services import blob_put_file

_INSERT_BLOB = ("INSERT INTO storage_blob (sha256, size, content_type, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING")
_INSERT_LINK = ("INSERT INTO signatures_arrivalvalidationdata (verification_id, blob_id, "
                "collected_at) VALUES (%s, %s, %s) ON CONFLICT (verification_id) DO NOTHING")
_BOTH_POSTGRES = f"WITH b AS ({_INSERT_BLOB}) {_INSERT_LINK}"


def arrival_keep(record: Verification, collected: ltv.Collected | None) -> None:
    """Store what validated ``record`` beside it (once; content-addressed, so the documents
    of one sender under one CRL share the blob). The file first, then the blob row and the
    link: one statement on PostgreSQL, two elsewhere, no savepoint (it runs on every
    arrival)."""
    if collected is None or record.pk is None:
        return
    data = ltv.bundle(collected)
    sha256 = blob_put_file(data=data)
    connection = transaction.get_connection()
    now = Blob._meta.get_field("created_at").get_db_prep_save(clock.now(), connection)
    blob_row = [sha256, len(data), ltv.CONTENT_TYPE, now]
    link_row = [record.pk, sha256, now]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_BOTH_POSTGRES, [*blob_row, *link_row])
        else:
            with transaction.atomic(savepoint=False):
                cursor.execute(_INSERT_BLOB, blob_row)
                cursor.execute(_INSERT_LINK, link_row)


def arrival_extra(sha256: str) -> tuple[list[Any], list[Any], list[Any]] | None:
    """The (CRLs, OCSP responses, certificates) kept when the file ``sha256`` arrived, from
    every verification of it (None: nothing kept)."""
    crls: list[Any] = []
    ocsps: list[Any] = []
    certs: list[Any] = []
    kept = ArrivalValidationData.objects.filter(verification__blob_id=sha256)
    for blob_id in sorted({k.blob_id for k in kept}):
        found_certs, found_crls, found_ocsps = ltv.unbundle(blob_read(blob_id))
        certs += found_certs
        crls += found_crls
        ocsps += found_ocsps
    return (crls, ocsps, certs) if (crls or ocsps or certs) else None
