"""What the one search box finds a work file by (issue 13, ADR 0017): year and notation,
title, creator and note. Pure: reads attributes only, so the model's save and the backfilling
migration share it."""

from __future__ import annotations

from typing import Any

DAY = "%d/%m/%Y"


def work_file_search_parts(work_file: Any) -> list[object]:
    """The searched values of a work file (folded by the caller)."""
    return [f"{work_file.year}.{work_file.notation}", work_file.title, work_file.creator_name,
            work_file.note, work_file.start_date.strftime(DAY) if work_file.start_date else ""]
