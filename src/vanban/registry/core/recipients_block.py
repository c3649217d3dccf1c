"""The recipients block of an outgoing document (R6.1).

``Nơi nhận:`` lists the recipients of paper copies, and under it ``Bản điện tử:`` lists the
electronic recipients, in the same layout: one ``- `` line per recipient (``+ `` for sub-items),
``;`` after each line and ``.`` after the last; the archive line ``- Lưu: VT, VX.`` closes the
paper part. The parser reads the block back from a document's text (pdftotext output included)
to propose routing, so it tolerates spacing, other dashes, wrapped lines and missing punctuation.

Pure Python: no Django import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PAPER_HEADING = "Nơi nhận:"
ELECTRONIC_HEADING = "Bản điện tử:"
_BULLETS = "-–—•*"
_HEADING_RE = re.compile(r"^(n[ơo]i\s*nh[ậa]n|b[ảa]n\s*đi[ệe]n\s*t[ửu])\s*:?\s*(?P<rest>.*)$",
                         re.IGNORECASE)
_ARCHIVE_RE = re.compile(r"^l[ưu]u\s*:\s*(?P<units>.*)$", re.IGNORECASE)


def clean_text(text: str) -> str:
    """One line of text: NFC, single spaces, no list punctuation at either end."""
    words = " ".join(unicodedata.normalize("NFC", text).split())
    return words.strip(" ;,.").strip()


@dataclass(frozen=True)
class RecipientLine:
    """One recipient (``- Sở Nội vụ``) and its sub-items (``+ Phòng Tổ chức``)."""

    text: str
    sub_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipientsBlock:
    """Paper recipients, electronic recipients, and the archive holders (``Lưu: VT, VX``)."""

    paper: tuple[RecipientLine, ...] = ()
    electronic: tuple[RecipientLine, ...] = ()
    archive: tuple[str, ...] = ()


def _lines_of(items: tuple[RecipientLine, ...], tail: str | None) -> list[str]:
    out: list[str] = []
    for item in items:
        out.append(f"- {item.text}")
        out.extend(f"+ {sub}" for sub in item.sub_items)
    if tail is not None:
        out.append(tail)
    return [line + ";" for line in out[:-1]] + [out[-1] + "."] if out else []


def render_block(block: RecipientsBlock) -> str:
    """The block as printed under the document body (lines joined by ``\\n``)."""
    archive = f"- Lưu: {', '.join(block.archive)}" if block.archive else None
    lines = [PAPER_HEADING, *_lines_of(block.paper, archive)]
    if block.electronic:
        lines += [ELECTRONIC_HEADING, *_lines_of(block.electronic, None)]
    return "\n".join(lines)


class _Section:
    def __init__(self) -> None:
        self.items: list[tuple[str, list[str]]] = []

    def add(self, text: str) -> None:
        self.items.append((text, []))

    def add_sub(self, text: str) -> None:
        if not self.items:
            self.add(text)
        else:
            self.items[-1][1].append(text)

    def extend_last(self, text: str) -> None:
        title, subs = self.items[-1]
        if subs:
            subs[-1] = f"{subs[-1]} {text}"
        else:
            self.items[-1] = (f"{title} {text}", subs)

    def lines(self) -> tuple[RecipientLine, ...]:
        return tuple(
            RecipientLine(clean_text(t), tuple(clean_text(s) for s in subs if clean_text(s)))
            for t, subs in self.items if clean_text(t))


def _archive_units(text: str) -> list[str]:
    return [unit for unit in (clean_text(u) for u in re.split(r"[,;]", text)) if unit]


def parse_block(text: str) -> RecipientsBlock:
    """Read the block from ``text`` (anything before ``Nơi nhận:`` is ignored).

    A line with no bullet right after an item continues it (a wrapped line); after a blank line
    such a line ends the block (it is the body of the page, not a recipient).
    """
    sections: dict[str, _Section] = {"paper": _Section(), "electronic": _Section()}
    archive: list[str] = []
    current: _Section | None = None
    after_blank = False
    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        heading = _HEADING_RE.match(line)
        if heading is not None:
            paper = heading.group(1).lower().replace(" ", "").startswith(("nơi", "noi"))
            current = sections["paper" if paper else "electronic"]
            after_blank = False
            line = heading["rest"].strip()
            if not line:
                continue
        if current is None:
            continue
        if _feed(current, line, archive, after_blank=after_blank):
            current = None
        after_blank = False
    return RecipientsBlock(paper=sections["paper"].lines(),
                           electronic=sections["electronic"].lines(), archive=tuple(archive))


def _feed(section: _Section, line: str, archive: list[str], *, after_blank: bool) -> bool:
    """Take one non-empty line into ``section``; True when the line ends the block."""
    bullet = line[0]
    body = line[1:].strip() if bullet in _BULLETS or bullet == "+" else line
    archived = _ARCHIVE_RE.match(clean_text(body))
    if archived is not None:
        archive.extend(_archive_units(archived["units"]))
    elif bullet == "+":
        section.add_sub(body)
    elif bullet in _BULLETS:
        section.add(body)
    elif section.items and not after_blank:
        section.extend_last(line)
    elif not section.items:
        section.add(line)
    else:
        return True
    return False
