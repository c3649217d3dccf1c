"""R6.1: the recipients block, rendered for outgoing documents and parsed from incoming text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vanban.registry.core.recipients_block import (
    RecipientLine,
    RecipientsBlock,
    clean_text,
    parse_block,
    render_block,
)

WORDS = st.text(alphabet="abcdeghiklmnoqrstuvxyĐđàáảãạăâêôơưệộờữ()/ABCDEHKLMNSTUV0123456789 ",
                min_size=1, max_size=40)
TEXT = WORDS.map(clean_text).filter(
    lambda t: bool(t) and t[0] not in "-–—•*+" and not t.lower().startswith(("lưu", "luu"))
    and not t.lower().replace(" ", "").startswith(("nơinhận", "noinhan", "bảnđiệntử")))
LINE = st.builds(RecipientLine, TEXT, st.lists(TEXT, max_size=3).map(tuple))
BLOCK = st.builds(RecipientsBlock, st.lists(LINE, max_size=5).map(tuple),
                  st.lists(LINE, max_size=5).map(tuple),
                  st.lists(TEXT.filter(lambda t: "," not in t), max_size=3).map(tuple))

EXAMPLE = RecipientsBlock(
    paper=(RecipientLine("Như trên"), RecipientLine("Ông Nguyễn Văn A (t/h)")),
    electronic=(RecipientLine("UBND tỉnh (b/c)", ("Chủ tịch", "các PCT UBND tỉnh")),
                RecipientLine("Sở Nội vụ")),
    archive=("VT", "VX"),
)


def test_render_layout() -> None:
    """R6.1: "Nơi nhận:" (paper), then "Bản điện tử:" (electronic), same layout."""
    assert render_block(EXAMPLE) == "\n".join([
        "Nơi nhận:", "- Như trên;", "- Ông Nguyễn Văn A (t/h);", "- Lưu: VT, VX.",
        "Bản điện tử:", "- UBND tỉnh (b/c);", "+ Chủ tịch;", "+ các PCT UBND tỉnh;",
        "- Sở Nội vụ.",
    ])


@given(BLOCK)
def test_round_trip(block: RecipientsBlock) -> None:
    """R6.1: parsing the rendered block gives the block back."""
    assert parse_block(render_block(block)) == block


@given(BLOCK, st.sampled_from(["  ", "\t"]), st.sampled_from(["\n", "\r\n", "\n\n"]))
def test_round_trip_with_messy_spacing(block: RecipientsBlock, pad: str, newline: str) -> None:
    """R6.1: extra spaces, CRLF and blank lines between headings do not change the result."""
    messy = []
    for line in render_block(block).split("\n"):
        changed = line
        if line.endswith(":") and not line.startswith("-"):
            changed = line.replace(":", " :")
        elif line[:1] in "-+":
            changed = f"{pad}{line[0]}{pad}{line[1:].strip()}"
        messy.append(pad + changed + pad)
    text = newline.join(messy) if newline != "\n\n" else "\n".join(messy)
    assert parse_block(text) == block


def test_parse_real_text() -> None:
    """R6.1: a block in extracted text, with body text around it, wrapped lines and other
    dashes, gives the paper and electronic recipients and the archive line."""
    text = """Đề nghị các cơ quan thực hiện./.
    Nơi nhận:
    – Như trên;
    - Ủy ban nhân dân huyện Yên Thế
      (để thực hiện);
    - Lưu: VT, KT.
    Bản điện tử:
    - Sở Tài chính;
    + Phòng Ngân sách;
    - Sở Nội vụ.

    KT. GIÁM ĐỐC
    """
    block = parse_block(text)
    assert block.paper == (RecipientLine("Như trên"),
                           RecipientLine("Ủy ban nhân dân huyện Yên Thế (để thực hiện)"))
    assert block.electronic == (RecipientLine("Sở Tài chính", ("Phòng Ngân sách",)),
                                RecipientLine("Sở Nội vụ"))
    assert block.archive == ("VT", "KT")


def test_parse_without_block() -> None:
    """A text without the block proposes nothing."""
    assert parse_block("Kính gửi: Sở Nội vụ\nNội dung") == RecipientsBlock()
