"""Inventory Level 2: facility-by-facility detail for coal, cement, chlor-alkali, ASGM and waste.

A country that knows its power plants, kilns, chlor-alkali plant, mining methods and
incinerators describes them on an optional `facilities` sheet of the activity workbook. Each
facility row replaces the Level 1 default for the part of the national activity it covers; what
the facilities leave of the national activity row is still computed at Level 1 defaults, so
nothing is counted twice and no activity is lost. Facilities summing to more than the national
row is an error located at the national activity cell.

The controlled lists (input types, control configurations) and their factors live in
`factors/level2/` as reviewable CSV, validated on load like the Level 1 table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import ActivityError, Problem
from hginventory.core.i18n import N_, ngettext
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import plain, sum_text
from hginventory.core.units import conversion, parse_factor_unit
from hginventory.model.facilities import FacilityData
from hginventory.tables.level2 import CONFIDENCE_RANK, TOLERANCE, Level2Tables, default_tables
from hginventory.tables.rows import STATUSES


@lru_cache(maxsize=512)
def _kg_per(activity_unit: str, factor_unit: str) -> float:
    fu = parse_factor_unit(factor_unit)
    return conversion(activity_unit, fu.per.symbol) * fu.to_kg


@lru_cache(maxsize=512)
def _conversion(unit: str, to: str) -> float:
    return conversion(unit, to)


def _worst(parts: list[tuple[str, str]]) -> tuple[str, str]:
    """The evidence status of a result built from several factor rows: the weakest one (a
    recalled one with its lowest confidence)."""
    status = max((s for s, _c in parts), key=STATUSES.index, default="confirmed")
    if status == "recalled":
        recalled = [c for s, c in parts if s == "recalled"]
        return status, min(recalled, key=lambda c: CONFIDENCE_RANK.get(c, 0))
    return status, ""


def _facility_row(rec, base: dict, factors, tables: Level2Tables, errors: list) -> dict:
    """One facility's result row, built on the Level 1 row of its sub-category: what it
    changes in that row (`base` is shared by the facilities of a code, never copied: a
    batch has thousands of facility rows of some sixty columns)."""
    code = rec["code"]
    l1 = factors[code]
    row: dict = {}
    unit = rec["unit"] or l1.activity_unit
    mult = _kg_per(unit, l1.input_factor_unit)
    used: list[tuple[str, str, str, str, str]] = []  # (id, source, status, confidence, doc)
    l1_used = (factors.factor_id(code), factors.source(l1), l1.status, l1.confidence, l1.document)

    if rec["measured_input_kg"] is not None:
        hg_input = rec["measured_input_kg"]
        basis = _("measured Hg input {value} kg/y (plant mass balance)").format(value=_g(hg_input))
    else:
        if rec["hg_content"] is not None:
            hu = rec["hg_content_unit"] or l1.input_factor_unit
            per_unit = rec["hg_content"] * _kg_per(unit, hu)
            basis = _("Hg content {value} {unit} (facility data)").format(
                value=_g(rec["hg_content"]), unit=hu
            )
        elif rec["input_type"]:
            it = tables.inputs[rec["input_type"]]
            per_unit = it.input_factor * _kg_per(unit, it.input_factor_unit)
            basis = _("input type {id}: {value} {unit}").format(
                id=it.id, value=_g(it.input_factor), unit=it.input_factor_unit
            )
            moisture = rec.get("moisture_pct")
            if it.input_basis == "dry" and moisture is not None and moisture < 100:
                per_unit *= 1.0 - moisture / 100.0  # dry content per t of coal as received
                basis += _(" (dry basis) x (1 - {moisture} % moisture)").format(
                    moisture=_g(moisture)
                )
            used.append(
                (tables.factor_id(it.id), tables.source(it), it.status, it.confidence, it.document)
            )
        else:
            per_unit = base["default_input_factor"] * base.get("scale", 1.0) * mult
            basis = _("Level 1 input factor {value} {unit}").format(
                value=_g(l1.input_factor), unit=l1.input_factor_unit
            )
            used.append(l1_used)
        hg_input = rec["activity"] * per_unit
        if rec["coincinerated_waste_t"]:
            ci = tables.inputs["cement-coincinerated-waste"]
            hg_input += (
                rec["coincinerated_waste_t"] * ci.input_factor * _kg_per("t", ci.input_factor_unit)
            )
            basis += _(" + {value} t waste co-incinerated").format(
                value=_g(rec["coincinerated_waste_t"])
            )
            used.append(
                (tables.factor_id(ci.id), tables.source(ci), ci.status, ci.confidence, ci.document)
            )

    ids = [c.strip() for c in rec["control"].split("+") if c.strip()]
    rows = [tables.configs[c] for c in ids]
    control_rows = [c for c in rows if c.kind == "control"]
    if control_rows:
        dist = dict(control_rows[0].distribution)
    else:  # no control named: the split of the Level 1 row, which an addition builds on
        dist = {p: base[p] for p in PATHWAYS}
        if l1_used not in used:
            used.append(l1_used)
    for pre in reversed([c for c in rows if c.kind == "pretreatment"]):
        if rec.get("washed_abroad"):
            # washed before import: the coal brings the washed coal's Hg (as-mined content x
            # pass_through); the washing rejects stayed abroad, no national pathway gets them
            if rec["measured_input_kg"] is None:
                hg_input *= pre.pass_through
            basis += _("; washed abroad: x {share} ({id}), rejects not national").format(
                share=_g(pre.pass_through), id=pre.id
            )
        else:
            dist = {p: pre.distribution[p] + pre.pass_through * dist[p] for p in PATHWAYS}
    for add in (c for c in rows if c.kind == "addition"):
        # the practice moves the Hg of one pathway (cyanidation: the tailings, land) and
        # leaves every other pathway as it was: never below the base case
        moved = dist[add.acts_on]
        dist = {
            p: (0.0 if p == add.acts_on else dist[p]) + moved * add.distribution[p]
            for p in PATHWAYS
        }
    for cfg in rows:
        used.append(
            (tables.factor_id(cfg.id), tables.source(cfg), cfg.status, cfg.confidence, cfg.document)
        )
    control = " + ".join(ids)

    out = {p: hg_input * dist[p] for p in PATHWAYS}
    measured_air = rec["measured_air_kg"]
    if measured_air is not None:
        rest_share = 1.0 - dist["air"]
        rest = hg_input - measured_air
        where = rec["cells"]["measured_air_kg"]
        if rest < -TOLERANCE * max(1.0, hg_input):
            errors.append(
                (
                    where,
                    _(
                        "measured air emission {air} kg/y is more than the calculated Hg input "
                        "{input} kg/y of {facility}"
                    ).format(
                        air=_g(measured_air), input=_g(hg_input), facility=repr(rec["facility"])
                    ),
                    _(
                        "give the plant's Hg input as measured_input_kg (mass balance) or its "
                        "hg_content"
                    ),
                    "facility-measured-air-above-input",
                )
            )
        elif rest > TOLERANCE * max(1.0, hg_input) and rest_share <= TOLERANCE:
            errors.append(
                (
                    where,
                    _(
                        "the distribution factors of {facility} send all mercury to air, so the "
                        "part of the Hg input above the measured air emission has no pathway"
                    ).format(facility=repr(rec["facility"])),
                    _("a control configuration that captures Hg, or measured_input_kg"),
                    "facility-rest-without-pathway",
                )
            )
        rest = max(rest, 0.0) if rest_share > TOLERANCE else 0.0
        out = {p: rest * dist[p] / rest_share if rest else 0.0 for p in PATHWAYS}
        out["air"] = measured_air
        hg_input = measured_air + rest  # within the tolerance of the calculated input
    measured = rec["measured_input_kg"] is not None or measured_air is not None

    status, confidence = _worst([(u[2], u[3]) for u in used])
    activity = rec["activity"] if rec["activity"] is not None else math.nan
    row.update(
        {
            "facility": rec["facility"],
            "method": "measured" if measured else "level2",
            "control": control,
            "basis": basis
            + (
                _("; measured air {value} kg/y").format(value=_g(measured_air))
                if measured_air
                else ""
            ),
            "activity": activity,
            "activity_unit": unit,
            "unit_multiplier": mult,
            "input_factor": hg_input / (activity * mult) if activity * mult else math.nan,
            "hg_input_kg": hg_input,
            "measured_input_kg": rec["measured_input_kg"],
            "measured_air_kg": measured_air,
            "notes": rec["notes"],
            "activity_cell": rec["cells"]["activity"],
            "facility_cell": rec["cells"]["facility"],
            "factor_id": " + ".join(u[0] for u in used),
            "factor_statuses": " + ".join(u[2] for u in used),
            "factor_source": "; ".join(u[1] for u in used),
            "status": status,
            "confidence": confidence,
            "document": ";".join(dict.fromkeys(u[4] for u in used)),
            "version": "",
            "table_page": "see factor_source",
            "note": "",
        }
    )
    for p in PATHWAYS:
        row[f"{p}_kg"] = out[p]
        row[p] = out[p] / hg_input if hg_input else dist[p]
    return row


@dataclass
class Merged:
    """Level 1 results of many inventories with their facility rows merged in."""

    results: object
    sources: object
    warnings: dict[int, list[Problem]]
    metadata: dict[int, dict]
    failed: dict[int, ActivityError]


@dataclass
class FacilityJob:
    """The facility rows of one inventory (`inventory` is its key in the long tables)."""

    inventory: int
    facilities: FacilityData


def apply_many(df, sources, jobs: list[FacilityJob], factors, tables=None) -> Merged:
    """Merge facility rows into the Level 1 results of every inventory at once (see the module
    docstring for the rule).

    `df` and `sources` are the long Level 1 tables keyed by `inventory`. The facility rows come
    checked (`check_facilities` and `check_against_national`, which `hginv validate` runs): the
    engine only finds what the calculation shows, a measured air emission above the computed
    input; such an inventory is returned in `failed` with an ActivityError located at the cell,
    and the others go on. `df` may come in a one-element list, handed over so that it is freed
    as soon as the merged table replaces it (a batch's memory).
    """
    import numpy as np
    import pandas as pd

    if isinstance(df, list):  # handed over: this function holds the only reference
        df = df.pop()
    else:
        df = df.copy(deep=False)  # columns are replaced below, never written in place
    jobs = [j for j in jobs if j.facilities.rows or j.facilities.problems]
    warnings: dict[int, list[Problem]] = {}
    metadata: dict[int, dict] = {}
    failed: dict[int, ActivityError] = {}
    if not jobs:
        return Merged(df, sources, warnings, metadata, failed)
    tables = tables or default_tables()
    # positions of the Level 1 rows of the inventories with facilities, by (inventory, code)
    inventories = df["inventory"].to_numpy()
    near = np.flatnonzero(np.isin(inventories, [j.inventory for j in jobs]))
    position = dict(
        zip(
            zip(inventories[near].tolist(), df["code"].to_numpy()[near].tolist(), strict=True),
            near.tolist(),
            strict=True,
        )
    )
    frame = None
    groups = []  # (job, code, recs, located) of every code with facility rows
    problems_of: dict[int, list[Problem]] = {}
    for job in jobs:
        k, facilities = job.inventory, job.facilities
        problems_of[k] = problems = []

        def located(cell, message, expected, code, problems=problems, facilities=facilities):
            problems.append(
                Problem(
                    message,
                    file=str(facilities.path),
                    sheet=facilities.sheet,
                    cell=cell,
                    expected=expected,
                    code=code,
                )
            )

        by_code: dict[str, list[dict]] = {}
        for rec in facilities.rows:
            if rec["code"] in tables.families and rec["code"] in factors:
                by_code.setdefault(rec["code"], []).append(rec)
        groups += [(job, code, recs, located) for code, recs in by_code.items()]

    # the Level 1 row each facility builds on: the inventory's own row of its code, or the
    # factor table's row where the activity sheet has none
    at = [position.get((job.inventory, code)) for job, code, _, _ in groups]
    bases = df.iloc[[i for i in at if i is not None]].to_dict("records")
    base_of = dict(zip([i for i in at if i is not None], bases, strict=True))
    new_rows: list[tuple[dict, dict]] = []  # (base, changes)
    drop: list[int] = []
    rest: list[tuple[int, float, str]] = []  # (position, share, basis) of remainder rows
    with_rest: set[tuple[int, str]] = set()
    for (job, code, recs, located), i in zip(groups, at, strict=True):
        k = job.inventory
        if k in failed:
            continue
        l1 = factors[code]
        if i is not None:
            base = base_of[i]
        else:
            if frame is None:
                frame = factors.frame().set_index("code", drop=False)
            base = frame.loc[code].to_dict()
            base.update(
                inventory=k,
                activity=math.nan,
                unit="",
                notes="",
                activity_cell="",
                scale=1.0,
                default_input_factor=l1.input_factor,
                facility="",
                method="default",
                basis="",
            )
        errors: list = []
        rows = [(base, _facility_row(rec, base, factors, tables, errors)) for rec in recs]
        for where, message, expected, code in errors:
            located(where, message, expected, code)
        if i is None:
            new_rows += rows
            continue
        unit = base["activity_unit"]
        covered = sum(r["activity"] * _conversion(r["activity_unit"], unit) for _b, r in rows)
        total = base["activity"]  # facilities above it were refused by check_against_national
        remainder = max(total - covered, 0.0)
        if remainder <= total * TOLERANCE:
            drop.append(i)
        else:
            rest.append(
                (
                    i,
                    remainder,
                    remainder / total,
                    _(
                        "remainder: national activity {total} {unit} minus {covered} {unit} "
                        "described as {facilities}, at Level 1 defaults"
                    ).format(
                        total=sum_text(total),
                        covered=sum_text(covered),
                        unit=unit,
                        facilities=_count(len(rows)),
                    ),
                )
            )
            with_rest.add((k, code))
        new_rows += rows

    for job in jobs:
        k = job.inventory
        if k not in failed and _failure(str(job.facilities.path), problems_of[k]):
            failed[k] = _failure(str(job.facilities.path), problems_of[k])

    if rest:
        where = np.array([r[0] for r in rest])
        share = np.array([r[2] for r in rest])
        columns = {"activity": np.array([r[1] for r in rest])}
        for col in ("hg_input_kg", *(f"{p}_kg" for p in PATHWAYS)):
            columns[col] = df[col].to_numpy()[where] * share
        for col, values in columns.items():
            full = df[col].to_numpy(copy=True)
            full[where] = values
            df[col] = full
        basis = df["basis"].to_numpy(dtype=object, copy=True)
        basis[where] = [r[3] for r in rest]
        df["basis"] = pd.array(basis, dtype=df["basis"].dtype)
    del bases, base_of
    new_rows = [(b, r) for b, r in new_rows if b["inventory"] not in failed]
    if new_rows:
        # what `from_records` makes of the merged dicts {**base, **changes}: the same columns
        # in the same order, NaN where a row has no such key, the same conversion
        names = list(dict.fromkeys(k for b, r in new_rows for k in (*b, *r)))
        new = pd.DataFrame.from_records(
            [tuple(r[c] if c in r else b.get(c, np.nan) for c in names) for b, r in new_rows],
            columns=names,
        )
        new_rows.clear()
        text = {c: df[c].dtype for c in df.columns if pd.api.types.is_string_dtype(df[c].dtype)}
        df = pd.concat([df, new], ignore_index=True)
        del new
        for c, dtype in text.items():  # text columns stay text, whoever else is computed along
            if df[c].dtype != dtype:
                df[c] = df[c].astype(dtype)
    # one take: rows replaced by their facilities and inventories that failed leave; facility
    # rows go after the Level 1 row of their code (stable: in the order given)
    keep = ~df["inventory"].isin(list(failed)).to_numpy()
    keep[np.asarray(drop, dtype=int)] = False
    rank = (df["facility"] != "").to_numpy()
    at = np.flatnonzero(keep)
    order = np.lexsort((rank[at], df["order"].to_numpy()[at], df["inventory"].to_numpy()[at]))
    df = df.take(at[order]).reset_index(drop=True)

    sources = sources.copy()
    presence, detail = sources["presence"].tolist(), sources["detail"].tolist()
    keys = sources["inventory"].to_numpy()
    near = np.flatnonzero(np.isin(keys, [j.inventory for j in jobs]))
    spot = dict(
        zip(
            zip(keys[near].tolist(), sources["code"].to_numpy()[near].tolist(), strict=True),
            near.tolist(),
            strict=True,
        )
    )
    counts: dict[int, list[int]] = {}
    for job, code, recs, _located in groups:
        k = job.inventory
        if k in failed:
            continue
        i = spot[(k, code)]
        presence[i] = "quantified"
        detail[i] = (
            _("Level 2: {facilities}; remainder at Level 1 defaults")
            if (k, code) in with_rest
            else _("Level 2: {facilities}")
        ).format(facilities=_count(len(recs)))
        tally = counts.setdefault(k, [0, 0])
        for rec in recs:
            tally[0] += 1
            measured = rec["measured_input_kg"] is not None or rec["measured_air_kg"] is not None
            tally[1] += measured
    sources["presence"] = pd.Series(presence, index=sources.index, dtype=sources["presence"].dtype)
    sources["detail"] = pd.Series(detail, index=sources.index, dtype=sources["detail"].dtype)
    for job in jobs:
        k = job.inventory
        if k in failed:
            continue
        warnings[k] = [p for p in problems_of[k] if p.severity == "warning"]
        n, measured = counts.get(k, (0, 0))
        metadata[k] = {
            "level2_table_id": tables.id,
            "level2_table_version": tables.version,
            "level2_table_sha256": tables.sha256,
            "facilities": n,
            "facilities_measured": measured,
        }
    return Merged(df, sources, warnings, metadata, failed)


def _g(value: float) -> str:
    """A value in a message, in the language's decimal mark (as `:g` would show it)."""
    return plain(float(f"{value:g}"))


def _count(n: int) -> str:
    return ngettext("{n} facility", "{n} facilities", n).format(n=n)


def _failure(file: str, problems: list[Problem]) -> ActivityError | None:
    """The error of an inventory whose facility rows have errors (every problem, errors first)."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return ActivityError(
            _("{file}: the facilities sheet has errors").format(file=Path(file).name),
            errors + [p for p in problems if p.severity != "error"],
        )
    return None


def article8_table(inv, tables: Level2Tables | None = None):
    """Air emissions of the Minamata Convention Annex D source categories (Article 8)."""
    import pandas as pd

    tables = tables or default_tables()
    r = inv.results
    facility = r["facility"] != "" if "facility" in r.columns else pd.Series(False, index=r.index)
    records = []
    for item in tables.article8:
        mask = r["code"].isin(item["codes"])
        present = sorted(set(r.loc[mask, "code"]), key=list(r["code"]).index)
        records.append(
            {
                "annex_d_source": item["annex_d_source"],
                "codes": ", ".join(item["codes"]),
                "codes_quantified": ", ".join(present),
                "facilities": int((mask & facility).sum()),
                "air_facilities_kg": float(r.loc[mask & facility, "air_kg"].sum()),
                "air_default_kg": float(r.loc[mask & ~facility, "air_kg"].sum()),
                "air_kg": float(r.loc[mask, "air_kg"].sum()),
                "note": item["note"],
            }
        )
    return pd.DataFrame.from_records(records)


# Minamata Convention, Annex C, paragraph 1: the worst practices of artisanal and small-scale gold
# mining that a national action plan sets out to eliminate (the Convention's list, paraphrased)
ANNEX_C = {
    "1(a)": N_("whole ore amalgamation"),
    "1(b)": N_("open burning of amalgam or processed amalgam"),
    "1(c)": N_("burning of amalgam in residential areas"),
    "1(d)": N_(
        "cyanide leaching of sediment, ore or tailings to which mercury has been added, without "
        "first removing the mercury"
    ),
}


def worst_practices(inv, tables: Level2Tables | None = None):
    """The facility rows whose configuration is a worst practice of Minamata Convention Annex C
    (a configuration row with `annex_c`), one row per facility and practice: for the report's
    flagged lines, the workbook and an Annex C table."""
    import pandas as pd

    tables = tables or default_tables()
    r = inv.results
    columns = [
        "code",
        "sub_category",
        "facility",
        "control",
        "configuration",
        "annex_c",
        "practice",
        "hg_input_kg",
        *(f"{p}_kg" for p in PATHWAYS),
    ]
    records = []
    if "facility" in r.columns and "control" in r.columns:
        for x in r[(r["facility"] != "") & (r["control"].fillna("") != "")].to_dict("records"):
            for cid in (c.strip() for c in x["control"].split("+")):
                cfg = tables.configs.get(cid)
                if cfg is None or not cfg.annex_c:
                    continue
                text = ANNEX_C.get(cfg.annex_c)
                records.append(
                    {
                        **{c: x.get(c) for c in columns if c in x},
                        "configuration": cid,
                        "annex_c": cfg.annex_c,
                        "practice": _(text) if text else cfg.label,
                    }
                )
    return pd.DataFrame.from_records(records, columns=columns)


def worst_practice_line(row: dict) -> str:
    """One flagged line for a row of `worst_practices`, as the report and the workbook print it."""
    return _(
        "Worst practice (Minamata Convention Annex C, paragraph {paragraph}): {facility} "
        "({code}), {practice}. The Convention asks for its elimination."
    ).format(
        paragraph=row["annex_c"],
        facility=row["facility"],
        code=row["code"],
        practice=row["practice"],
    )
