"""What a country submits from its inventory: the Toolkit's source presence table (Y/N/?), the
potential hot spots, the data gaps with next steps, and the Article 21 annex (Article 8 by
Annex D category, Article 9 releases to land and water, the Annex C ASGM baseline).

Plain functions over an `Inventory`, each giving a DataFrame the workbook and the report print.
The mark of a sub-category: quantified (or included elsewhere) is Y; NO or NA is N; otherwise
the `presence` column of the activity sheet when given, else ? (a blank row or NE: "possibly
present, not known"). A main category is Y when any of its sub-categories is, else ? when any
is, else N.
"""

from __future__ import annotations

import pandas as pd

from hginventory.core.i18n import N_
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory, sources_present
from hginventory.model.submission import DATA_QUALITY, Submission, hotspot_types

HOTSPOT_SECTION = "5.10"

MARK_BASIS = {
    "quantified": N_("quantified"),
    "NO": N_("NO: not occurring"),
    "NA": N_("NA: not applicable"),
    "IE": N_("IE: included elsewhere"),
    "NE": N_("NE: not estimated"),
    "not reported": N_("left blank"),
    "given": N_("presence column"),
}

ASGM_PRACTICES = {
    "5.2.2a": N_("Amalgamation of the whole ore"),
    "5.2.2b": N_("Amalgamation of concentrates, amalgam burnt in the open (no retort)"),
    "5.2.2c": N_("Amalgamation of concentrates, amalgam heated in a retort"),
    "5.2.2d": N_("Amalgamation of the whole ore"),
    "5.2.2e": N_("Amalgamation of concentrates, amalgam burnt in the open (no retort)"),
    "5.2.2f": N_("Amalgamation of concentrates, amalgam heated in a retort"),
}
"""The practice of each ASGM code (5.2.2d-f: the same practices, mercury used known)."""

WORST = {
    "whole-ore": N_("whole-ore amalgamation"),
    "open-burning": N_("open burning of amalgam or processed amalgam"),
    "residential": N_("burning of amalgam in residential areas"),
    "cyanide": N_("cyanide leaching of sediment, ore or tailings to which mercury was added"),
}
"""Annex C, paragraph 1: the worst practices a national action plan must eliminate."""

WORST_BY_CODE = {
    "5.2.2a": "whole-ore",
    "5.2.2d": "whole-ore",
    "5.2.2b": "open-burning",
    "5.2.2e": "open-burning",
}

BOILERS = "Coal-fired industrial boilers"


def submission(inv: Inventory) -> Submission:
    return inv.submission if inv.submission is not None else Submission()


def _mark(presence: str, given: str) -> tuple[str, str]:
    """The Y/N/? mark of one sub-category and what it rests on (a `MARK_BASIS` key)."""
    if presence in ("quantified", "IE"):
        return "Y", presence
    if presence in ("NO", "NA"):
        return "N", presence
    if given:
        return given, "given"
    return "?", presence if presence in MARK_BASIS else "not reported"


def presence_table(inv: Inventory) -> pd.DataFrame:
    """Every main category and sub-category in Toolkit order with its Y/N/? mark; each
    sub-category with its activity figure, data quality and data source as given.

    Columns: level (`group`, `sub` or `hotspots`), code, name (English), group (id), mark,
    basis, activity, unit, data_quality, data_source."""
    sub = submission(inv)
    s = sources_present(inv)
    factors = inv.factors
    by_group: dict[str, list[dict]] = {}
    ids = {g.get("name", k): k for k, g in factors.groups.items()}
    for x in s.itertuples(index=False):
        row = factors[x.code] if x.code in factors else None
        if row is not None and row.replaces:
            continue  # an alternative activity of a sub-category, not a sub-category
        mark, basis = _mark(x.presence, sub.presence.get(x.code, ""))
        value, unit = sub.activity.get(x.code, (None, ""))
        group = ids.get(x.source_group, x.source_group)
        by_group.setdefault(group, []).append(
            {
                "level": "sub",
                "code": x.code,
                "name": x.sub_category,
                "group": group,
                "mark": mark,
                "basis": basis,
                "activity": value,
                "unit": unit,
                "data_quality": sub.data_quality.get(x.code, ""),
                "data_source": sub.data_source.get(x.code, ""),
            }
        )
    out: list[dict] = []
    order = sorted(factors.groups.items(), key=lambda kv: kv[1].get("order", 99))
    for gid, g in order:
        rows = by_group.get(gid, [])
        marks = {r["mark"] for r in rows}
        mark = "Y" if "Y" in marks else "?" if "?" in marks else "N"
        out.append(
            {
                "level": "group",
                "code": g.get("l2_section", ""),
                "name": g.get("name", gid),
                "group": gid,
                "mark": mark,
                "basis": "",
                "activity": None,
                "unit": "",
                "data_quality": "",
                "data_source": "",
            }
        )
        out += rows
    out.append(
        {
            "level": "hotspots",
            "code": HOTSPOT_SECTION,
            "name": "Potential hot spots",
            "group": "hotspots",
            "mark": "Y" if sub.hotspots else "?",
            "basis": "",
            "activity": None,
            "unit": "",
            "data_quality": "",
            "data_source": "",
        }
    )
    return pd.DataFrame.from_records(out)


def hotspot_table(inv: Inventory) -> pd.DataFrame:
    """The potential hot spots listed on the `hotspots` sheet, type named in the current
    language."""
    names = hotspot_types()
    records = [
        {
            "site": h["site"],
            "type": names.get(h["type"], h["type"]),
            "location": h["location"],
            "status": h["status"],
            "notes": h["notes"],
        }
        for h in submission(inv).hotspots
    ]
    return pd.DataFrame.from_records(
        records, columns=["site", "type", "location", "status", "notes"]
    )


GAP_STEPS = {
    "unknown": N_(
        "Find out whether the activity occurs (ministries, industry associations, customs); "
        "then give its activity rate, or NO."
    ),
    "NE": N_(
        "Collect the activity rate (national statistics, plant data) and quantify the "
        "sub-category."
    ),
    "expert": N_(
        "Replace the expert judgement with national statistics or plant data in the next "
        "inventory."
    ),
    "key": N_(
        "A key category without measured or plant data: ask the plants for their mercury "
        "data (Level 2: facilities sheet, measured_input_kg or measured_air_kg)."
    ),
}

GAP_REASONS = {
    "unknown": N_("marked ?: presence not known"),
    "NE": N_("NE: present or possibly present, not estimated"),
    "expert": N_("data quality D: expert judgement"),
    "key": N_("key category without plant data"),
}


def data_gaps(inv: Inventory) -> pd.DataFrame:
    """The data gaps in Toolkit order: sub-categories marked ? or NE, rows whose data quality
    is D (expert judgement), and key categories without plant data (when the results carry
    a `key_category` column). Columns: code, name, reason (a `GAP_REASONS` key), step."""
    table = presence_table(inv)
    subs = table[table["level"] == "sub"]
    records = []
    for x in subs.itertuples(index=False):
        if x.basis == "NE":
            records.append((x.code, x.name, "NE"))
        elif x.mark == "?":
            records.append((x.code, x.name, "unknown"))
        if x.data_quality == "D":
            records.append((x.code, x.name, "expert"))
    r = inv.results
    if "key_category" in r.columns:
        quality = submission(inv).data_quality
        key = r[r["key_category"].fillna("").astype(str) != ""]
        measured = set(r.loc[r["method"] == "measured", "code"]) if "method" in r else set()
        names = dict(zip(subs["code"], subs["name"], strict=True))
        for code in dict.fromkeys(key["code"]):
            if code not in measured and quality.get(code, "") != "A":
                records.append((code, names.get(code, code), "key"))
    frame = pd.DataFrame.from_records(records, columns=["code", "name", "reason"])
    frame["step"] = frame["reason"].map(lambda k: GAP_STEPS[k])
    return frame


def quality_label(grade: str) -> str:
    """`B` -> 'B: national statistics' in the current language ('' for no grade)."""
    return f"{grade}: {_(DATA_QUALITY[grade])}" if grade in DATA_QUALITY else grade


# --- Article 21 annex ---------------------------------------------------------------------------


def article8_split(inv: Inventory) -> pd.DataFrame:
    """Article 8 air emissions by Annex D category, with 5.1.2 split by the country's share of
    its coal burnt in industrial boilers, or labelled an upper bound when no share is given.

    Columns: annex_d_source, codes, air_kg, label (`upper-bound`, `split`, `rest` or '')."""
    from hginventory.engine.level2 import article8_table

    table = article8_table(inv)
    share = submission(inv).coal_industrial_boilers_share
    records = []
    for x in table.itertuples(index=False):
        label = ""
        air = float(x.air_kg)
        if x.annex_d_source == BOILERS and x.codes_quantified:
            if share is None:
                label = "upper-bound"
            else:
                label = "split"
                rest = air * (1 - share / 100)
                air = air * share / 100
        records.append(
            {"annex_d_source": x.annex_d_source, "codes": x.codes, "air_kg": air, "label": label}
        )
        if label == "split":
            records.append(
                {
                    "annex_d_source": "Other coal uses of 5.1.2 (not an Annex D source)",
                    "codes": x.codes,
                    "air_kg": rest,
                    "label": "rest",
                }
            )
    columns = ["annex_d_source", "codes", "air_kg", "label"]
    return pd.DataFrame.from_records(records, columns=columns)


def article9_table(inv: Inventory) -> pd.DataFrame:
    """Releases to water and land by sub-category as counted in the national totals
    (double-counting exclusions applied, estimates set aside), largest first; sub-categories
    releasing nothing to either are left out. Columns: code, name, water_kg, land_kg, total_kg."""
    r = inv.results
    counted = inv.counted_releases()
    frame = pd.DataFrame(
        {
            "code": r["code"].to_numpy(),
            "name": r["sub_category"].to_numpy(),
            "water_kg": counted["water_kg"].to_numpy(),
            "land_kg": counted["land_kg"].to_numpy(),
        }
    )
    frame = frame.groupby(["code", "name"], sort=False, as_index=False).sum()
    frame["total_kg"] = frame["water_kg"] + frame["land_kg"]
    frame = frame[frame["total_kg"] > 0]
    return frame.sort_values("total_kg", ascending=False, kind="stable").reset_index(drop=True)


PARAGRAPHS = {"1(a)": "whole-ore", "1(b)": "open-burning", "1(c)": "residential", "1(d)": "cyanide"}
"""Annex C paragraph 1 (a)-(d), as the Level 2 configurations name them (`annex_c`)."""


def _configured(inv: Inventory) -> dict[tuple[str, str], list[str]]:
    """(code, facility) -> the worst practices its Level 2 configuration is (engine.level2)."""
    from hginventory.engine import level2

    out: dict[tuple[str, str], list[str]] = {}
    for x in level2.worst_practices(inv).itertuples(index=False):
        key = PARAGRAPHS.get(x.annex_c)
        if key:
            out.setdefault((x.code, x.facility), []).append(key)
    return out


def _worst_of(code: str, configured: list[str]) -> list[str]:
    keys = [WORST_BY_CODE[code]] if code in WORST_BY_CODE else []
    return keys + [k for k in configured if k not in keys]


def annex_c_table(inv: Inventory) -> pd.DataFrame:
    """The ASGM baseline: mercury used and released by practice (5.2.2a-f), one row per
    facility where Level 2 data exist, worst practices of Annex C flagged.

    Columns: code, practice, facility, rest (the code's activity beyond its facilities, at
    Level 1 defaults), gold_kg (kg gold produced, or None when the mercury used
    was given), mercury_kg, air_kg, water_kg, land_kg, worst (keys of `WORST`, ';'-joined)."""
    r = inv.results
    rows = r[r["code"].isin(list(ASGM_PRACTICES))]
    named = rows["facility"].fillna("").astype(str) != "" if "facility" in rows else None
    with_facilities = set(rows.loc[named, "code"]) if named is not None else set()
    configured = _configured(inv) if len(rows) else {}
    records = []
    for x in rows.to_dict("records"):
        facility = str(x.get("facility", "") or "")
        gold = x["activity"] if x["code"] in ("5.2.2a", "5.2.2b", "5.2.2c") else None
        records.append(
            {
                "code": x["code"],
                "practice": ASGM_PRACTICES[x["code"]],
                "facility": facility,
                "rest": not facility and x["code"] in with_facilities,
                "gold_kg": gold,
                "mercury_kg": float(x["hg_input_kg"]),
                "air_kg": float(x["air_kg"]),
                "water_kg": float(x["water_kg"]),
                "land_kg": float(x["land_kg"]),
                "worst": ";".join(_worst_of(x["code"], configured.get((x["code"], facility), []))),
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "code",
            "practice",
            "facility",
            "rest",
            "gold_kg",
            "mercury_kg",
            "air_kg",
            "water_kg",
            "land_kg",
            "worst",
        ],
    )


def worst_words(keys: str) -> str:
    """'whole-ore;cyanide' -> the practices' names in the current language."""
    return "; ".join(_(WORST[k]) for k in keys.split(";") if k in WORST)
