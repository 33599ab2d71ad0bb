"""The computed inventory (results, sources present, totals) and summaries derived from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from hginventory.core.columns import (
    CSV_COLUMNS,
    OUTPUT_COLUMNS,
    PATHWAYS,
    RELEASE_PATHWAYS,
    SUBTOTAL_LABELS,
    TRANSFER_PATHWAYS,
    with_subtotals,
)
from hginventory.core.errors import Problem
from hginventory.core.i18n import N_, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.model.activity import CountryInfo
from hginventory.model.submission import Submission
from hginventory.tables.factors import FactorTable


def sources_present(inv: Inventory) -> pd.DataFrame:
    """The screening of source types, where a blank alternative row (e.g. ASGM with the mercury
    used known) whose default row was quantified is not counted as a data gap."""
    s = inv.sources.copy()
    quantified = set(s.loc[s["presence"] == "quantified", "code"])
    factors = inv.factors
    alternative = s["code"].map(
        lambda c: (
            c in factors and factors[c].replaces in quantified if factors[c].replaces else False
        )
    )
    blank = alternative & (s["presence"] == "not reported")
    s.loc[blank, "presence"] = "alternative not used"
    s.loc[blank, "detail"] = s.loc[blank, "code"].map(
        lambda c: _("{code} quantified").format(code=factors[c].replaces)
    )
    return s


def sources_by_presence(inv: Inventory) -> dict[str, int]:
    counts = sources_present(inv)["presence"].value_counts()
    return {k: int(counts[k]) for k in PRESENCE_TEXT if k in counts} | {
        k: int(v) for k, v in counts.items() if k not in PRESENCE_TEXT
    }


REST = N_("rest of the country (Level 1 defaults)")


EMPTY_WARNING = N_("No activity was entered: nothing will be quantified.")
"""What the workbook and the report say of an inventory with no result row."""


PRESENCE_TEXT = {
    "quantified": N_("present and quantified"),
    "NO": N_("not occurring (NO)"),
    "NE": N_("not estimated (NE)"),
    "NA": N_("not applicable (NA)"),
    "IE": N_("included elsewhere (IE)"),
    "not reported": N_("not reported in the activity workbook"),
    "alternative not used": N_("alternative calculation not used (the default row was quantified)"),
}


# the `presence` values (machine words) as a table cell shows them; notation keys stay
PRESENCE_WORD = {
    "quantified": N_("quantified"),
    "not reported": N_("not reported"),
    "alternative not used": N_("alternative not used"),
}


def presence_word(value: str) -> str:
    """A `presence` value in the current language (notation keys unchanged)."""
    return _(PRESENCE_WORD[value]) if value in PRESENCE_WORD else value


class CsvExtension(Protocol):
    """An optional analysis attached to an inventory (the EMEP/EEA cross-check, the uncertainty
    ranges): it adds its columns to the result CSV. Typed here, so the inventory does not import
    the analyses that import it."""

    def extend_csv(self, frame: pd.DataFrame) -> pd.DataFrame: ...


@dataclass
class Inventory:
    """A computed national inventory: one result row per sub-category present, and totals."""

    country: CountryInfo
    results: pd.DataFrame
    sources: pd.DataFrame
    factors: FactorTable
    metadata: dict
    warnings: list[Problem] = field(default_factory=list)
    crosscheck: CsvExtension | None = None  # engine.crosscheck.Crosscheck
    uncertainty: CsvExtension | None = None  # engine.uncertainty.UncertaintyResult
    quality_checks: list[Problem] = field(default_factory=list)  # check.quality, by validate
    submission: Submission | None = None  # presence marks, data quality, hot spots (reporting)

    @property
    def recalled_count(self) -> int:
        """How many result rows rest on a recalled factor (a Level 2 row: on any of its factors)."""
        return int((self.results["status"] == "recalled").sum())

    @property
    def estimated_count(self) -> int:
        """How many result rows rest on a value the project estimated (no Toolkit default)."""
        return int((self.results["status"] == "estimated").sum())

    @property
    def codes_quantified(self) -> int:
        """Distinct sub-categories with a result: facility rows of a code count once, and an
        alternative activity (mercury used for ASGM) counts as the sub-category it replaces."""
        replaces = {r.code: r.replaces for r in self.factors.rows if r.replaces}
        return len({replaces.get(c, c) for c in self.results["code"]})

    @property
    def codes_in_table(self) -> int:
        """Distinct sub-categories of the factor table (alternative-activity rows not counted)."""
        return sum(1 for r in self.factors.rows if not r.replaces)

    def factor_statuses(self) -> dict[str, str]:
        """Each distinct factor used, by factor id, with its status: a Level 2 row names
        several factors (`a + b`, their statuses in `factor_statuses`), a Level 1 row one."""
        r = self.results
        own = r["factor_statuses"] if "factor_statuses" in r.columns else None
        out: dict[str, str] = {}
        for i, (ids, status) in enumerate(zip(r["factor_id"], r["status"], strict=True)):
            parts = [x.strip() for x in str(ids).split(" + ")] if isinstance(ids, str) else []
            each = own.iat[i] if own is not None else None
            statuses = each.split(" + ") if isinstance(each, str) and each else []
            if len(statuses) != len(parts):
                statuses = [status] * len(parts)
            for fid, st in zip(parts, statuses, strict=True):
                if fid:
                    out.setdefault(fid, st)
        return out

    @property
    def factors_used(self) -> int:
        """Distinct factors used, by factor id (a Level 2 row's `a + b` counts a and b)."""
        return len(self.factor_statuses())

    @property
    def recalled_factors(self) -> int:
        """Distinct factors used whose status is 'recalled', by factor id."""
        return sum(st == "recalled" for st in self.factor_statuses().values())

    @property
    def estimated_factors(self) -> int:
        """Distinct factors used whose status is 'estimated', by factor id."""
        return sum(st == "estimated" for st in self.factor_statuses().values())

    def estimates_aside(self) -> pd.DataFrame:
        """The rows at a Level 1 default whose input factor the project estimated, when they
        are left out of the totals (the default): shown as indicative, never summed in."""
        if self.factors.estimates_counted:
            return self.results.iloc[0:0]
        r = self.results
        return r[(r["status"] == "estimated") & (r["method"] == "default")]

    def estimates_note(self) -> str:
        """What the totals leave out (or take in) of the project's estimates, in one sentence
        for every summary ('' when the inventory uses none)."""
        from hginventory.core.numbers import mass

        if self.factors.estimates_counted:
            n = int(self.results.loc[self.results["status"] == "estimated", "code"].nunique())
            if not n:
                return ""
            return _(
                "The totals include {n} sub-categories estimated by the project (no Toolkit "
                "default known; --include-estimates)."
            ).format(n=n)
        aside = self.estimates_aside()
        if aside.empty:
            return ""
        return _(
            "Indicative, not in the totals: {kg} kg Hg/y of input in {n} sub-categories with no "
            "Toolkit default ({codes}); --include-estimates counts them."
        ).format(
            kg=mass(float(aside["hg_input_kg"].sum())),
            n=aside["code"].nunique(),
            codes=", ".join(dict.fromkeys(aside["code"])),
        )

    @property
    def national_count(self) -> int:
        """Distinct factors used that are a country's own (national) values, by factor id."""
        return sum(st == "national" for st in self.factor_statuses().values())

    @property
    def facility_count(self) -> int:
        r = self.results
        if "facility" not in r.columns:
            return 0
        names = r["facility"].fillna("")
        return int((names != "").sum())

    @property
    def method_key(self) -> str:
        """Which method ran, as a machine key: toolkit-level1, level1-national, level2."""
        if self.facility_count:
            return "level2"
        return "level1-national" if self.national_count else "toolkit-level1"

    def method_label(self) -> str:
        """Which method ran, as the cover, the Metadata sheet and the totals say it."""
        if self.facility_count:
            text = ngettext(
                "Level 2 for {n} facility", "Level 2 for {n} facilities", self.facility_count
            ).format(n=self.facility_count)
        elif self.national_count:
            return ngettext(
                "Level 1 with {n} national factor",
                "Level 1 with {n} national factors",
                self.national_count,
            ).format(n=self.national_count)
        else:
            return _("Toolkit Level 1")
        if self.national_count:
            text += ", " + ngettext(
                "{n} national factor", "{n} national factors", self.national_count
            ).format(n=self.national_count)
        return text

    def csv_frame(self) -> pd.DataFrame:
        frame = self.results[CSV_COLUMNS]
        if self.crosscheck is not None:
            frame = self.crosscheck.extend_csv(frame)
        if self.uncertainty is not None:
            frame = self.uncertainty.extend_csv(frame)
        return frame

    def input_summary(self) -> pd.DataFrame:
        """The Toolkit's summary of mercury inputs: per sub-category, with the share counted."""
        r = self.results
        return pd.DataFrame(
            {
                "code": r["code"],
                "sub_category": r["label"],
                "source_group": r["group_name"],
                "hg_input_kg": r["hg_input_kg"],
                "counted_share": r["input_total_weight"],
                "counted_input_kg": r["hg_input_kg"] * r["input_total_weight"],
            }
        )

    def counted_releases(self) -> pd.DataFrame:
        """Releases per pathway as counted in the national totals (exclusions applied)."""
        r = self.results
        out = r[OUTPUT_COLUMNS].copy()
        excludes = [set(text.split(";")) for text in r["release_total_exclude"]]
        for p in PATHWAYS:
            excluded = np.fromiter((p in xs for xs in excludes), bool, len(excludes))
            if excluded.any():
                out.loc[excluded, f"{p}_kg"] = 0.0
        return out

    def totals(self) -> dict[str, float]:
        """National totals after the double-counting adjustments (kg Hg/y): the six pathways,
        `releases_awl_kg` (air, water, land), `transfers_kg`, `releases_kg` (all six outputs,
        the old key) and `outputs_beyond_input_kg` (see `outputs_beyond_input`)."""
        counted = self.counted_releases()
        out = {"hg_input_kg": float(self.input_summary()["counted_input_kg"].sum())}
        out.update({c: float(counted[c].sum()) for c in OUTPUT_COLUMNS})
        with_subtotals(out)
        out["outputs_beyond_input_kg"] = self.outputs_beyond_input()
        return out

    def sums(self) -> dict[str, float]:
        """Plain sums of all rows, before the double-counting adjustments."""
        out = {"hg_input_kg": float(self.results["hg_input_kg"].sum())}
        out.update({c: float(self.results[c].sum()) for c in OUTPUT_COLUMNS})
        return with_subtotals(out)

    def outputs_beyond_input(self) -> float:
        """How much the counted outputs exceed the counted input because of the waste rows:
        see `beyond_input`."""
        r = self.results
        if r.empty:
            return 0.0
        rows = beyond_input(
            r["hg_input_kg"].to_numpy(dtype="float64"),
            r["input_total_weight"].to_numpy(dtype="float64"),
            self.counted_releases().sum(axis=1).to_numpy(dtype="float64"),
        )
        return float(rows.sum())

    def release_summary(self) -> list[tuple[str, str, float]]:
        """The headline lines of every summary (terminal, workbook, report), in order, as
        (key, label in the current language, kg Hg/y): the counted input, the releases to air,
        water and land and their subtotal, the transfers and their subtotal, all outputs, and
        the outputs beyond the counted input (waste rows)."""
        from hginventory.core.columns import PATHWAY_LABELS

        t = self.totals()
        keys = [
            "hg_input_kg",
            *(f"{p}_kg" for p in RELEASE_PATHWAYS),
            "releases_awl_kg",
            *(f"{p}_kg" for p in TRANSFER_PATHWAYS),
            "transfers_kg",
            "releases_kg",
            "outputs_beyond_input_kg",
        ]
        labels = {
            "hg_input_kg": N_("Hg input (counted)"),
            **{f"{p}_kg": PATHWAY_LABELS[p] for p in PATHWAYS},
            **SUBTOTAL_LABELS,
        }
        return [(k, _(labels[k]), t[k]) for k in keys]

    def beyond_input_sentence(self) -> str:
        """Why the outputs exceed the counted input, in one plain sentence ('' when no waste
        row makes them)."""
        from hginventory.core.numbers import mass, percent

        t = self.totals()
        beyond = t["outputs_beyond_input_kg"]
        if round(beyond, 1) <= 0 or t["releases_kg"] <= t["hg_input_kg"]:
            return ""
        r = self.results
        weight = r["input_total_weight"]
        waste = r[(weight < 1) & ~r.index.isin(self.estimates_aside().index)]
        return _(
            "The outputs ({outputs} kg Hg/y) exceed the counted input ({input} kg Hg/y): "
            "{beyond} kg Hg/y of outputs come from the waste sub-categories ({codes}), whose "
            "input counts at {share} at most because their mercury was already counted where "
            "it entered society, while their outputs are counted."
        ).format(
            outputs=mass(t["releases_kg"]),
            input=mass(t["hg_input_kg"]),
            beyond=mass(beyond),
            codes=", ".join(dict.fromkeys(waste["code"])),
            share=percent(float(waste["input_total_weight"].max()), places=0),
        )

    def group_summary(self) -> pd.DataFrame:
        """Inputs and releases by source group, as counted in the national totals."""
        r = self.results
        counted = self.counted_releases()
        frame = pd.concat(
            [
                r[["group_order", "group_name"]],
                (r["hg_input_kg"] * r["input_total_weight"]).rename("hg_input_kg"),
                counted,
            ],
            axis=1,
        )
        grouped = frame.groupby(["group_order", "group_name"], sort=True).sum().reset_index()
        grouped["releases_kg"] = grouped[OUTPUT_COLUMNS].sum(axis=1)
        return grouped.drop(columns="group_order").rename(columns={"group_name": "source_group"})


def estimates_sentence(counted: bool) -> str:
    """Whether totals of many inventories (a batch, a trend) count the project's estimates."""
    if counted:
        return _(
            "The totals include the sub-categories estimated by the project (no Toolkit default "
            "known; --include-estimates)."
        )
    return _(
        "The sub-categories estimated by the project (no Toolkit default known) are left out "
        "of the totals; --include-estimates counts them."
    )


def row_labels(results: pd.DataFrame) -> pd.Series:
    """Names for report tables, in the current language: Level 2 rows share a code, so they
    carry the facility name, and the rest of such a code's activity is marked as computed at
    Level 1 defaults. (The CSV keeps the English `sub_category`.)"""
    from hginventory.core.i18n import get_language
    from hginventory.tables.translations import sub_category_translations

    own = sub_category_translations(get_language())
    english = results["sub_category"].astype(str)
    names = pd.Series(
        [
            own.get(c, {}).get("sub_category") or n
            for c, n in zip(results["code"], english, strict=True)
        ],
        index=results.index,
        dtype=english.dtype,
    )
    if "facility" not in results:
        return names
    facility = ["" if f is None or f != f else str(f) for f in results["facility"].tolist()]
    codes = results["code"].tolist()
    if "inventory" in results:  # a long table of many inventories: codes are theirs
        codes = list(zip(results["inventory"].tolist(), codes, strict=True))
    with_facilities = {c for c, f in zip(codes, facility, strict=True) if f}
    labels = [
        f"{n} - {f}" if f else (f"{n} - {_(REST)}" if c in with_facilities else n)
        for n, f, c in zip(names.tolist(), facility, codes, strict=True)
    ]
    return pd.Series(labels, index=results.index, dtype=names.dtype)


def beyond_input(hg_input, weight, counted_outputs):
    """Per result row, the counted outputs above the row's counted input, for the rows whose
    input counts only in part (`input_total_weight` < 1: waste and wastewater, whose mercury
    was counted where it entered society); 0 for every other row. Summed, it is the part of
    the outputs that exceeds the counted input because of the double-counting rules (Level 1:
    exactly outputs minus counted input). The one rule of the terminal, the workbook, the
    report, batch and trend."""
    weight = np.asarray(weight, dtype="float64")
    return np.where(weight < 1, counted_outputs - hg_input * weight, 0.0)


RANKINGS = ("counted_input_kg", "air_kg", "releases_awl_kg")
"""What sources are ranked by. Never all six outputs: a landfill's row counts product
mercury a second time."""


def top_sources(inv: Inventory, n: int = 10, by: str = "releases_awl_kg") -> pd.DataFrame:
    """The n result rows with most counted input (`counted_input_kg`), releases to air
    (`air_kg`) or releases to air, water and land (`releases_awl_kg`), as counted in the
    national totals; rows with nothing of it are not ranked."""
    if by not in RANKINGS:
        raise ValueError(f"top_sources: by must be one of {RANKINGS}")
    r = inv.results
    counted = inv.counted_releases()
    frame = pd.DataFrame(
        {
            "code": r["code"],
            "sub_category": r["label"],
            "source_group": r["group_name"],
            "hg_input_kg": r["hg_input_kg"],
            "counted_input_kg": r["hg_input_kg"] * r["input_total_weight"],
            "air_kg": counted["air_kg"],
            "releases_awl_kg": counted[[f"{p}_kg" for p in RELEASE_PATHWAYS]].sum(axis=1),
            "transfers_kg": counted[[f"{p}_kg" for p in TRANSFER_PATHWAYS]].sum(axis=1),
        }
    )
    frame = frame[frame[by] > 0]
    return frame.sort_values(by, ascending=False, kind="stable").head(n)
