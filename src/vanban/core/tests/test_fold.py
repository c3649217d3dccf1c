"""Vietnamese folding (issue 13: "Ha Noi" finds "Hà Nội", "dong" finds "Đông")."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from vanban.core.fold import MAX_WORDS, fold, fold_join, words

VIETNAMESE = ("aăâbcdđeêghiklmnoôơpqrstuưvxy"
              "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
vietnamese_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " \t\n0123456789/-.")


def test_examples_of_the_issue() -> None:
    """Issue 13: the three examples of the brief, and a notation."""
    assert fold("Hà Nội") == fold("Ha Noi") == "ha noi"
    assert fold("Đông") == "dong"
    assert fold("Bắc  Giang\n") == "bac giang"
    assert fold("QĐ-UBND") == "qd-ubnd"
    assert fold(None) == ""


@given(st.text())
def test_idempotent(text: str) -> None:
    """Folding folded text changes nothing (stored text and typed words meet)."""
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_no_marks_no_d_stroke_no_upper_no_double_space(text: str) -> None:
    """The result has no combining mark, no đ/Đ, no capital, no run or edge of whitespace."""
    folded = fold(text)
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "đ" not in folded
    assert "Đ" not in folded
    assert folded == folded.casefold()
    assert "  " not in folded
    assert folded == folded.strip()


@given(vietnamese_text)
def test_vietnamese_becomes_ascii(text: str) -> None:
    """Every Vietnamese letter folds to a plain ASCII letter."""
    assert fold(text).isascii()


@given(vietnamese_text, vietnamese_text, vietnamese_text)
def test_a_word_is_found_in_any_text_holding_it(before: str, word: str, after: str) -> None:
    """What a plain LIKE relies on: a folded part is inside the folded whole."""
    assert fold(word) in fold(f"{before} {word} {after}")


@given(st.lists(st.text(), max_size=5))
def test_fold_join_folds_the_joined_parts(parts: list[str]) -> None:
    """The stored text is the parts joined and folded."""
    assert fold_join(parts) == fold(" ".join(parts))


@given(st.text())
def test_words_are_capped(query: str) -> None:
    """A pasted paragraph becomes at most MAX_WORDS words."""
    assert words(query) == fold(query).split()[:MAX_WORDS]
    assert len(words(query)) <= MAX_WORDS
