"""The visible signature mark (R15.1, Decree 30/2020 Annex I §8): where it goes and how it reads.

The text is set in the TTF font at ``settings.VANBAN_FONT_PATH`` (DejaVuSans) through pyHanko's
OpenType engine, so Vietnamese diacritics render. pyHanko would parse and subset the whole font
for every signature (about half a second with DejaVuSans); instead the font is cut once per
process to the Vietnamese alphabet (no layout tables: Vietnamese text is NFC-composed, so every
letter has its own glyph) and that small font is embedded as is.
"""

from __future__ import annotations

import functools
import io
import logging
import textwrap
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uharfbuzz as hb
from fontTools import subset, ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font import opentype
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import TextStampStyle

from vanban.core.clock import VN_TZ

PLACEMENTS = ("bottom_left_first_page", "top_right_first_page", "signature_block_overlay")
FONT_SIZE = 7
LEADING = 9
WIDTH = 230  # points; about 60 characters of 7 pt DejaVuSans per line
MARGIN = 28  # points (1 cm) from the page edge
PADDING = 26  # points: pyHanko's text box margin (10) and the frame's (3), both sides together
WRAP = 58
_VIETNAMESE = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
               + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)))
_CHARSET = "".join(chr(c) for c in range(0x20, 0x7F)) + _VIETNAMESE + "–—‘’“”…•°§©«»·\u00a0"


class _Font:
    """The pre-cut font, parsed once and shared read-only by every signature in the process:
    its bytes (raw and compressed), the HarfBuzz font and the fully loaded fontTools font."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.compressed = zlib.compress(data)
        self.hb_font = hb.Font(hb.Face(data))
        self.tt = ttLib.TTFont(io.BytesIO(data))
        self.tt.ensureDecompiled()  # no lazy table loading later, so sharing is thread-safe
        self.glyph_set = self.tt.getGlyphSet(preferCFF=True)
        self.ps_name = opentype._read_ps_name(self.tt)
        self.units_per_em = self.tt["head"].unitsPerEm


@functools.lru_cache(maxsize=4)
def _vietnamese_font(path: str) -> _Font:
    """``path`` cut to ASCII + the Vietnamese alphabet, no hinting or layout tables."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = ttLib.TTFont(path)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern"]
    options.hinting = False
    options.glyph_names = True
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=_CHARSET)
    subsetter.subset(font)
    # pyHanko writes glyph widths (/W) and TJ adjustments in font units as if they were PDF's
    # thousandths of an em: with DejaVuSans' 2048 units per em every letter advanced twice its
    # width ("K ý b ở i") and the line ran out of its box. At 1000 units they are the same.
    scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return _Font(out.getvalue())


class _PresetFontFile(opentype.CIDFontType2):
    """Embeds the pre-cut font bytes instead of re-serialising the font per signature."""

    def __init__(self, font: _Font, subset_prefix: str) -> None:
        super().__init__(font.tt, font.ps_name, subset_prefix)
        self._font = font

    def set_font_file(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        stream = generic.StreamObject(
            {generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode"),
             generic.pdf_name("/Length1"): generic.NumberObject(  # type: ignore[no-untyped-call]
                 len(self._font.data))},
            encoded_data=self._font.compressed)
        ref = writer.add_object(stream)
        self._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref


class _PresetAccumulator(opentype.GlyphAccumulator):
    """pyHanko's glyph accumulator over the shared pre-cut font.

    ``GlyphAccumulator.__init__`` would parse the font again for every signature; this sets the
    same attributes from the shared font instead (mirrors pyHanko 0.38's constructor for a
    TrueType font) and skips the per-document subsetting (the font is already small).
    """

    def __init__(self, writer: BasePdfFileWriter, font: _Font, *, font_size: int,
                 obj_stream: Any = None) -> None:
        self.hb_font = font.hb_font
        self.tt = font.tt
        FontEngine.__init__(self, writer, font.ps_name, embedded_subset=True,
                            obj_stream=obj_stream, font_size=font_size)
        self._font_ref = writer.allocate_placeholder()
        self.cidfont_obj = _PresetFontFile(font, self.subset_prefix)
        self.cff_charset = None
        self.use_raw_gids = True
        self.features = None
        self.units_per_em = font.units_per_em
        self._glyphs = {}
        self._glyph_set = font.glyph_set
        self._cid_to_unicode = {}
        self._GlyphAccumulator__reverse_cmap = None
        self.ot_language_tag = self.ot_script_tag = None
        self.writing_direction = None
        self.bcp47_lang_code = None
        self._subset_created = self._write_prepared = False

    def _extract_subset(self, options: subset.Options | None = None) -> None:
        return None


@dataclass(frozen=True)
class VietnameseFontFactory(FontEngineFactory):
    """pyHanko font engine factory for the Vietnamese cut of a TTF font."""

    font_file: str
    font_size: int = FONT_SIZE

    def create_font_engine(self, writer: BasePdfFileWriter,
                           obj_stream: Any = None) -> FontEngine:
        font = _vietnamese_font(self.font_file)
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]
        return _PresetAccumulator(writer, font, font_size=self.font_size, obj_stream=obj_stream)


def format_time(at: datetime) -> str:
    """``dd/mm/yyyy HH:MM:SS +07:00`` in Asia/Ho_Chi_Minh."""
    local = at.astimezone(VN_TZ)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


def mark_lines(*, agency_name: str, at: datetime) -> list[str]:
    """The lines of the mark: who signed (the agency) and when."""
    agency_name = unicodedata.normalize("NFC", agency_name)
    lines = textwrap.wrap(f"Ký bởi: {agency_name}", WRAP)
    lines += textwrap.wrap(f"Cơ quan: {agency_name}", WRAP)
    lines.append(f"Thời gian ký: {format_time(at)}")
    return lines


def stamp_style(font_path: str) -> TextStampStyle:
    """Black text in a thin frame, Vietnamese font; the text comes in as ``%(mark)s``."""
    return TextStampStyle(
        stamp_text="%(mark)s", border_width=1,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(3, 3, 3, 3)),
        text_box_style=TextBoxStyle(font=VietnameseFontFactory(font_path), font_size=FONT_SIZE,
                                    leading=LEADING))


def text_width(lines: list[str], font_path: str) -> float:
    """The widest line's width in points at the mark's size (the cut font has 1000 units per
    em), so the frame fits the text instead of a fixed width that clips or leaves a gap."""
    font = _vietnamese_font(font_path)
    cmap = font.tt.getBestCmap()
    metrics = font.tt["hmtx"].metrics
    widest: int = max((sum(int(metrics[cmap.get(ord(c), ".notdef")][0]) for c in line)
                        for line in lines), default=0)
    return float(widest * FONT_SIZE / font.units_per_em)


def mark_box(placement: str, page_box: tuple[float, float, float, float],
             line_count: int, width_needed: float = WIDTH - PADDING) -> tuple[int, int, int, int]:
    """Where the mark goes on page 1 (x1, y1, x2, y2 in PDF points).

    ``bottom_left_first_page`` is the provincial rule (R15.1); ``top_right_first_page`` is
    Decree 30's text-only mark for attachments; ``signature_block_overlay`` sits over the left
    part of the usual signature block (lower right half of the page).
    """
    x0, y0, x1, y1 = page_box
    height = line_count * LEADING + PADDING
    width = min(int(width_needed + PADDING) + 1, int(x1 - x0) - 2 * MARGIN)
    if placement == "top_right_first_page":
        left, bottom = x1 - MARGIN - width, y1 - MARGIN - height
    elif placement == "signature_block_overlay":
        left, bottom = x0 + (x1 - x0) * 0.5 + MARGIN / 2, y0 + (y1 - y0) * 0.25
    else:
        left, bottom = x0 + MARGIN, y0 + MARGIN
    return int(left), int(bottom), int(left) + width, int(bottom) + height
