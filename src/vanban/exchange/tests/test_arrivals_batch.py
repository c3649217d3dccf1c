"""The arrival port's batch form (ADR 0015): many arrivals checked at the door one by one,
their files written together and their rows stored in one transaction — each stored once,
a refused one refused alone, a repeat answered as by the one-arrival port (R4.1, R16.1)."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.exchange.arrivals import ArrivalResult, ArrivedFile, arrival_accept
from vanban.exchange.arrivals_batch import arrival_accept_many
from vanban.exchange.models import Attachment, Delivery, Transmission
from vanban.exchange.tests.conftest import make_pdf
from vanban.exchange.tests.test_arrivals import PROGRAM, _arrival, _sha, remote
from vanban.storage.models import Blob
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db
__all__ = ["remote"]  # the fixture, used here by name


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
    results: list[Any] = arrival_accept_many(batch)
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
    again: list[Any] = arrival_accept_many(batch)
    assert again[0].duplicate
    assert again[2].duplicate
    assert again[0].transmission.pk == results[0].transmission.pk
    assert Transmission.objects.count() == 2
    single = arrival_accept(batch[2])
    assert single.duplicate


def test_a_batch_whose_files_fail_together_accepts_each_alone(
        remote: Agency, finance: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: the batch's shared file writing failing (too many open files) does not lose the
    batch: each arrival is accepted on its own by the one-arrival port."""
    import errno

    from vanban.exchange import arrivals_batch

    pdfs = [make_pdf(f"Cong van loi {n}") for n in range(2)]
    batch = [_arrival(remote, [finance], [ArrivedFile(name=f"{n}.pdf", data=pdf)],
                      key=f"f-{n}") for n, pdf in enumerate(pdfs)]

    def too_many(items: Any) -> None:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(arrivals_batch, "blob_files_put", too_many)
    results: list[Any] = arrival_accept_many(batch)
    assert all(isinstance(r, ArrivalResult) and not r.duplicate for r in results), results
    assert Transmission.objects.count() == 2
    for pdf in pdfs:
        assert blob_read(_sha(pdf)) == pdf
