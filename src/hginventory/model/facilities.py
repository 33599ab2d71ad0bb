"""The Level 2 facility rows as read from a workbook's `facilities` sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hginventory.core.errors import Problem

FACILITY_SHEET = "facilities"


FACILITY_COLUMNS = (
    "code",
    "facility",
    "activity",
    "unit",
    "capacity",
    "utilisation",
    "input_type",
    "hg_content",
    "hg_content_unit",
    "control",
    "coincinerated_waste_t",
    "measured_input_kg",
    "measured_air_kg",
    "moisture_pct",
    "washed_abroad",
    "notes",
)


NUMERIC_COLUMNS = (
    "activity",
    "capacity",
    "utilisation",
    "hg_content",
    "coincinerated_waste_t",
    "measured_input_kg",
    "measured_air_kg",
    "moisture_pct",
)


@dataclass
class FacilityData:
    """Facility rows read from a workbook's `facilities` sheet (empty when there is none)."""

    path: Path
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet: str = FACILITY_SHEET
