"""The activity workbook as read: the country sheet and the activity rows, with their locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hginventory.core.errors import HasProblems, Problem
from hginventory.core.i18n import N_

NOTATION_KEYS = {
    "NO": N_("not occurring"),
    "NE": N_("not estimated"),
    "NA": N_("not applicable"),
    "IE": N_("included elsewhere"),
}


# `language` is written by `hginv template --lang`: the language hginv speaks for this
# workbook; it changes no number
COUNTRY_FIELDS = (
    "country",
    "year",
    "population",
    "electrification_rate",
    "iso3",
    "language",
    "coal_industrial_boilers_share",
)


ACTIVITY_COLUMNS = (
    "code",
    "activity",
    "unit",
    "notes",
    "uncertainty_pct",
    "activity_low",
    "activity_high",
    "presence",
    "data_source",
    "data_quality",
)


@dataclass
class CountryInfo:
    """The country sheet, as read and checked (plain data: reading needs no model framework)."""

    country: str
    year: int
    population: float | None = None
    electrification_rate: float | None = None
    iso3: str | None = None
    language: str | None = None
    coal_industrial_boilers_share: float | None = None  # per cent of 5.1.2's coal (Article 8)


@dataclass
class ActivityData(HasProblems):
    """What was read from one activity workbook, with the location of every value."""

    path: Path
    sha256: str
    country: CountryInfo | None
    rows: list[dict]
    problems: list[Problem] = field(default_factory=list)
    hotspots: list[dict] = field(default_factory=list)  # the optional `hotspots` sheet

    def frame(self):
        """Activity rows as a DataFrame (code, activity, notation, unit, notes, cells)."""
        import pandas as pd

        columns = ["code", "activity", "notation", "unit", "notes", "row", "activity_cell"]
        return pd.DataFrame.from_records(self.rows, columns=columns)
