"""The arrival port's batch halves (ADR 0015): many arrivals checked at the door one by one,
their files written together and their rows stored in one transaction — each stored once,
a refused one refused alone, a repeat found by the one lookup and answered as by the
one-arrival port (R4.1, R16.1). The mail gateway composes them so (its failure paths:
mailgate/tests/test_batch_failures.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.db import transaction

from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.exchange.arrivals import Arrival, ArrivalResult, ArrivedFile, arrival_accept
from vanban.exchange.arrivals_batch import (
    CheckedArrival,
    arrival_check,
    arrival_store,
    arrivals_stored,
    blob_files_put,
    blob_rows_put,
)
from vanban.exchange.models import Attachment, Delivery, Transmission
from vanban.exchange.tests.conftest import make_pdf
from vanban.exchange.tests.test_arrivals import PROGRAM, _arrival, _sha, remote
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db
__all__ = ["remote"]  # the fixture, used here by name


def _together(arrivals: Sequence[Arrival]) -> list[ArrivalResult | DomainError]:
    """The halves as a batch uses them: a repeat answered by the one lookup, each checked
    alone, the files of all written once, the rows of all in one transaction."""
    stored = arrivals_stored(arrivals)
    out: dict[int, ArrivalResult | DomainError] = {}
    ready: list[tuple[int, CheckedArrival]] = []
    for i, arrival in enumerate(arrivals):
        if arrival.message_key in stored:
            out[i] = stored[arrival.message_key]
            continue
        try:
            ready.append((i, arrival_check(arrival)))
        except DomainError as err:
            out[i] = err
    blobs = [b for _, item in ready for b in item.blobs()]
    blob_files_put(blobs)
    with transaction.atomic():
        blob_rows_put(blobs)
        for i, item in ready:
            out[i] = arrival_store(item)
    return [out[i] for i in range(len(arrivals))]


def test_a_batch_stores_each_arrival_once(remote: Agency, finance: Agency) -> None:
    """R4.1, R16.1: three arrivals, one carrying a program: two stored with their files and
    raw messages, the third refused alone; the same batch again changes nothing."""
    pdfs = [make_pdf(f"Cong van {n}") for n in range(3)]
    batch = [
        _arrival(remote, [finance], [ArrivedFile(name="a.pdf", data=pdfs[0])], key="b-1"),
        _arrival(remote, [finance], [ArrivedFile(name="b.pdf", data=pdfs[1]),
                                     ArrivedFile(name="x.exe", data=PROGRAM)], key="b-2"),
        _arrival(remote, [finance], [ArrivedFile(name="c.pdf", data=pdfs[2])], key="b-3",
                 raw=b"<edXML>raw 3</edXML>"),
    ]
    results: list[Any] = _together(batch)
    assert isinstance(results[0], ArrivalResult)
    assert isinstance(results[1], DomainError)
    assert isinstance(results[2], ArrivalResult)
    assert not results[0].duplicate
    assert Transmission.objects.count() == 2
    assert Delivery.objects.filter(recipient=finance).count() == 2
    for n in (0, 2):
        assert blob_read(_sha(pdfs[n])) == pdfs[n]
        assert Attachment.objects.get(sha256=_sha(pdfs[n])).main
    assert blob_read(_sha(b"<edXML>raw 3</edXML>")) == b"<edXML>raw 3</edXML>"
    assert not Blob.objects.filter(sha256=_sha(pdfs[1])).exists()
    again: list[Any] = _together(batch)
    assert again[0].duplicate
    assert again[2].duplicate
    assert again[0].transmission.pk == results[0].transmission.pk
    assert Transmission.objects.count() == 2
    single = arrival_accept(batch[2])
    assert single.duplicate
