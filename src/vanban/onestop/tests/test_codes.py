"""Dossier codes (§6) and tracking secrets (§11, §13): layout, round trip, uniqueness and no gap
under concurrent acceptance on PostgreSQL (R11.2)."""

from __future__ import annotations

import random
import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction
from hypothesis import given
from hypothesis import strategies as st

from vanban.core.errors import ValidationFailed
from vanban.onestop.core.codes import (
    SECRET_ALPHABET,
    DossierCode,
    format_code,
    hash_secret,
    new_secret,
    parse_code,
    secret_matches_hash,
)

identifiers = st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True)


def test_layout_of_the_regulation_example() -> None:
    """§6: ``000.00.12.H13-230515-0001``."""
    assert format_code("000.00.12.H13", date(2023, 5, 15), 1) == "000.00.12.H13-230515-0001"


def test_never_wraps_after_9999() -> None:
    """§6: the day's sequence never wraps; the 10000th code is written in full."""
    assert format_code("000.00.12.H13", date(2026, 1, 2), 10000) == "000.00.12.H13-260102-10000"


def test_other_patterns_and_bad_ones() -> None:
    """``code.pattern`` is a setting; a pattern missing a part is refused."""
    text = format_code("H13", date(2026, 1, 2), 7, pattern="{YYMMDD}/{agency}/{NNNN}")
    assert text == "260102/H13/0007"
    assert parse_code(text, pattern="{YYMMDD}/{agency}/{NNNN}") == DossierCode(
        "H13", date(2026, 1, 2), 7)
    with pytest.raises(ValidationFailed):
        format_code("H13", date(2026, 1, 2), 7, pattern="{agency}-{NNNN}")
    with pytest.raises(ValidationFailed):
        format_code("H13", date(2026, 1, 2), 0)


@given(identifiers, st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.integers(min_value=1, max_value=10**7))
def test_round_trip(identifier: str, day: date, number: int) -> None:
    """Any code reads back into the parts it was written from."""
    code = DossierCode(identifier, day, number)
    assert parse_code(code.text()) == code


@pytest.mark.parametrize("text", ["", "abc", "000.00.12.H13-231315-0001",
                                  "000.00.12.H13-230515-001", "000.00.12.H13-230515-0000"])
def test_not_a_code(text: str) -> None:
    """A typed string that is not a code is None, never an error."""
    assert parse_code(text) is None


@given(st.text(alphabet=" -", max_size=3))
def test_secrets_are_unambiguous_and_checked(separator: str) -> None:
    """§13: 8 characters without look-alikes; only a salted hash is kept; case and spaces do
    not matter when typed; another secret never matches."""
    secret = new_secret()
    assert len(secret) == 8
    assert set(secret) <= set(SECRET_ALPHABET)
    assert not set("01OIL") & set(SECRET_ALPHABET)
    stored = hash_secret(secret)
    assert secret not in stored
    assert secret_matches_hash(stored, f" {secret[:4].lower()}{separator}{secret[4:]} ")
    other = new_secret()
    assert secret_matches_hash(stored, other) is (other == secret)
    assert hash_secret(secret) != stored  # salted
    assert not secret_matches_hash("", secret)
    assert not secret_matches_hash("md5$x$y", secret)


WRITERS = 6
PER_WRITER = 15


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_concurrent_issuance_unique_and_gap_free() -> None:
    """§12: codes stay unique and gap-free under concurrent intake — six writers issue codes for
    the same identifier and day, a third of their transactions rolled back."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises writers anyway")
    from vanban.onestop.services.numbering import code_issue

    kept: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    class Rollback(Exception):
        pass

    def writer(seed: int) -> None:
        chance = random.Random(seed)
        try:
            start.wait()
            for _ in range(PER_WRITER):
                try:
                    with transaction.atomic():
                        code = code_issue(identifier="000.00.12.H06", day=date(2026, 12, 14))
                        if chance.random() < 0.33:
                            raise Rollback
                    with lock:
                        kept.append(code)
                except Rollback:
                    pass
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in kept)
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(set(kept)) == len(kept) > 0
