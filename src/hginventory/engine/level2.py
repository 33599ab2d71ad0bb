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
from dataclasses import dataclass, field
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


Used = tuple[str, str, str, str, str]
"""A factor row a result used: (factor id, source, status, confidence, document)."""


def _used(table, row) -> Used:
    """How a Level 2 factor row (an input type or a configuration) is cited in a result."""
    return (table.factor_id(row.id), table.source(row), row.status, row.confidence, row.document)


def _input_type_content(rec, unit: str, tables: Level2Tables, used: list[Used]):
    """Hg per unit of activity (kg) of the facility's input type (coal of a basin, ore...) and
    how it reads; a content given on a dry basis is brought to the coal as received."""
    it = tables.inputs[rec["input_type"]]
    per_unit = it.input_factor * _kg_per(unit, it.input_factor_unit)
    basis = _("input type {id}: {value} {unit}").format(
        id=it.id, value=_g(it.input_factor), unit=it.input_factor_unit
    )
    moisture = rec.get("moisture_pct")
    if it.input_basis == "dry" and moisture is not None and moisture < 100:
        per_unit *= 1.0 - moisture / 100.0  # dry content per t of coal as received
        basis += _(" (dry basis) x (1 - {moisture} % moisture)").format(moisture=_g(moisture))
    used.append(_used(tables, it))
    return per_unit, basis


def _content(rec, base: dict, l1, unit: str, mult: float, tables, used: list[Used], l1_used):
    """Hg per unit of activity (kg) and how it reads: the facility's own Hg content, else its
    input type's, else the Level 1 input factor of the national row."""
    if rec["hg_content"] is not None:
        hu = rec["hg_content_unit"] or l1.input_factor_unit
        per_unit = rec["hg_content"] * _kg_per(unit, hu)
        return per_unit, _("Hg content {value} {unit} (facility data)").format(
            value=_g(rec["hg_content"]), unit=hu
        )
    if rec["input_type"]:
        return _input_type_content(rec, unit, tables, used)
    used.append(l1_used)
    per_unit = base["default_input_factor"] * base.get("scale", 1.0) * mult
    return per_unit, _("Level 1 input factor {value} {unit}").format(
        value=_g(l1.input_factor), unit=l1.input_factor_unit
    )


def _hg_input(rec, base: dict, l1, unit: str, mult: float, tables, used: list[Used], l1_used):
    """The facility's Hg input (kg/y) and how it reads: measured (plant mass balance), or its
    activity times its Hg content, plus the Hg of the waste a kiln co-incinerates."""
    if rec["measured_input_kg"] is not None:
        hg_input = rec["measured_input_kg"]
        return hg_input, _("measured Hg input {value} kg/y (plant mass balance)").format(
            value=_g(hg_input)
        )
    per_unit, basis = _content(rec, base, l1, unit, mult, tables, used, l1_used)
    hg_input = rec["activity"] * per_unit
    if rec["coincinerated_waste_t"]:
        ci = tables.inputs["cement-coincinerated-waste"]
        hg_input += (
            rec["coincinerated_waste_t"] * ci.input_factor * _kg_per("t", ci.input_factor_unit)
        )
        basis += _(" + {value} t waste co-incinerated").format(
            value=_g(rec["coincinerated_waste_t"])
        )
        used.append(_used(tables, ci))
    return hg_input, basis


def _distribution(rec, base: dict, configs: list, used: list[Used], l1_used) -> dict[str, float]:
    """The shares of the Hg input per pathway: the named control's split (else the Level 1
    row's), after the pre-treatments (coal washing...) and the additions (cyanidation of
    amalgamation tailings...). Coal washed abroad leaves the split as it is (`_washed_abroad`)."""
    controls = [c for c in configs if c.kind == "control"]
    if controls:
        dist = dict(controls[0].distribution)
    else:  # no control named: the split of the Level 1 row, which an addition builds on
        dist = {p: base[p] for p in PATHWAYS}
        if l1_used not in used:
            used.append(l1_used)
    if not rec.get("washed_abroad"):
        for pre in reversed([c for c in configs if c.kind == "pretreatment"]):
            dist = {p: pre.distribution[p] + pre.pass_through * dist[p] for p in PATHWAYS}
    for add in (c for c in configs if c.kind == "addition"):
        # the practice moves the Hg of one pathway (cyanidation: the tailings, land) and
        # leaves every other pathway as it was: never below the base case
        moved = dist[add.acts_on]
        dist = {
            p: (0.0 if p == add.acts_on else dist[p]) + moved * add.distribution[p]
            for p in PATHWAYS
        }
    return dist


def _washed_abroad(rec, configs: list, hg_input: float, basis: str) -> tuple[float, str]:
    """Coal washed before import brings the washed coal's Hg (as-mined content x pass_through);
    the washing rejects stayed abroad, no national pathway gets them."""
    if not rec.get("washed_abroad"):
        return hg_input, basis
    for pre in reversed([c for c in configs if c.kind == "pretreatment"]):
        if rec["measured_input_kg"] is None:
            hg_input *= pre.pass_through
        basis += _("; washed abroad: x {share} ({id}), rejects not national").format(
            share=_g(pre.pass_through), id=pre.id
        )
    return hg_input, basis


def _air_problem(rec, hg_input: float, rest: float, rest_share: float):
    """What a measured air emission shows of the facility's data (located at its cell):
    more than its Hg input, or a remainder that no pathway of its split takes; else None."""
    where = rec["cells"]["measured_air_kg"]
    if rest < -TOLERANCE * max(1.0, hg_input):
        return (
            where,
            _(
                "measured air emission {air} kg/y is more than the calculated Hg input "
                "{input} kg/y of {facility}"
            ).format(
                air=_g(rec["measured_air_kg"]), input=_g(hg_input), facility=repr(rec["facility"])
            ),
            _("give the plant's Hg input as measured_input_kg (mass balance) or its hg_content"),
            "facility-measured-air-above-input",
        )
    if rest > TOLERANCE * max(1.0, hg_input) and rest_share <= TOLERANCE:
        return (
            where,
            _(
                "the distribution factors of {facility} send all mercury to air, so the "
                "part of the Hg input above the measured air emission has no pathway"
            ).format(facility=repr(rec["facility"])),
            _("a control configuration that captures Hg, or measured_input_kg"),
            "facility-rest-without-pathway",
        )
    return None


def _outputs(rec, hg_input: float, dist: dict, errors: list) -> tuple[dict[str, float], float]:
    """kg/y per pathway and the Hg input they add up to: the input split by `dist`, or, with a
    measured air emission, that emission to air and the rest of the input split as the other
    pathways share it."""
    measured_air = rec["measured_air_kg"]
    if measured_air is None:
        return {p: hg_input * dist[p] for p in PATHWAYS}, hg_input
    rest_share = 1.0 - dist["air"]
    rest = hg_input - measured_air
    problem = _air_problem(rec, hg_input, rest, rest_share)
    if problem:
        errors.append(problem)
    rest = max(rest, 0.0) if rest_share > TOLERANCE else 0.0
    out = {p: rest * dist[p] / rest_share if rest else 0.0 for p in PATHWAYS}
    out["air"] = measured_air
    return out, measured_air + rest  # within the tolerance of the calculated input


def _facility_row(rec, base: dict, factors, tables: Level2Tables, errors: list) -> dict:
    """One facility's result row, built on the Level 1 row of its sub-category: what it
    changes in that row (`base` is shared by the facilities of a code, never copied: a
    batch has thousands of facility rows of some sixty columns)."""
    code = rec["code"]
    l1 = factors[code]
    unit = rec["unit"] or l1.activity_unit
    mult = _kg_per(unit, l1.input_factor_unit)
    used: list[Used] = []
    l1_used = (factors.factor_id(code), factors.source(l1), l1.status, l1.confidence, l1.document)
    hg_input, basis = _hg_input(rec, base, l1, unit, mult, tables, used, l1_used)
    ids = [c.strip() for c in rec["control"].split("+") if c.strip()]
    configs = [tables.configs[c] for c in ids]
    dist = _distribution(rec, base, configs, used, l1_used)
    hg_input, basis = _washed_abroad(rec, configs, hg_input, basis)
    used += [_used(tables, cfg) for cfg in configs]
    out, hg_input = _outputs(rec, hg_input, dist, errors)
    measured_air = rec["measured_air_kg"]
    if measured_air:
        basis += _("; measured air {value} kg/y").format(value=_g(measured_air))
    measured = rec["measured_input_kg"] is not None or measured_air is not None
    status, confidence = _worst([(u[2], u[3]) for u in used])
    activity = rec["activity"] if rec["activity"] is not None else math.nan
    row = {
        "facility": rec["facility"],
        "method": "measured" if measured else "level2",
        "control": " + ".join(ids),
        "basis": basis,
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
    import pandas as pd

    if isinstance(df, list):  # handed over: this function holds the only reference
        df = df.pop()
    else:
        df = df.copy(deep=False)  # columns are replaced below, never written in place
    jobs = [j for j in jobs if j.facilities.rows or j.facilities.problems]
    if not jobs:
        return Merged(df, sources, {}, {}, {})
    tables = tables or default_tables()
    groups = _groups(jobs, factors, tables)
    merge = _merge(df, jobs, groups, factors, tables)
    failed = _failed(jobs, merge.problems_of)
    if merge.rest:
        _set_remainders(df, merge.rest)
    new = _facility_frame([(b, r) for b, r in merge.rows if b["inventory"] not in failed])
    merge.rows.clear()
    if new is not None:
        text = {c: df[c].dtype for c in df.columns if pd.api.types.is_string_dtype(df[c].dtype)}
        df = pd.concat([df, new], ignore_index=True)
        del new
        _as_text(df, text)
    df = _in_order(df, failed, merge.drop)
    groups = [g for g in groups if g[0].inventory not in failed]
    sources = _level2_sources(sources, jobs, groups, merge.with_rest)
    warnings = {
        k: [p for p in problems if p.severity == "warning"]
        for k, problems in merge.problems_of.items()
        if k not in failed
    }
    return Merged(df, sources, warnings, _metadata(tables, jobs, groups, failed), failed)


@dataclass
class _Merge:
    """What the facility rows of every code make of the Level 1 table."""

    rows: list[tuple[dict, dict]] = field(default_factory=list)  # (base, changes) per facility
    drop: list[int] = field(default_factory=list)  # national rows the facilities cover
    rest: list[tuple[int, float, float, str]] = field(default_factory=list)  # see _remainder
    with_rest: set[tuple[int, str]] = field(default_factory=set)  # (inventory, code)
    problems_of: dict[int, list[Problem]] = field(default_factory=dict)


def _merge(df, jobs: list[FacilityJob], groups: list[tuple], factors, tables) -> _Merge:
    """Every facility's row, built on the Level 1 row of its code (the inventory's own row, or
    the factor table's row where the activity sheet has none), and what the facilities leave
    of each national row."""
    merge = _Merge(problems_of={job.inventory: [] for job in jobs})
    position = _positions(df, jobs)
    at = [position.get((job.inventory, code)) for job, code, _ in groups]
    bases = df.iloc[[i for i in at if i is not None]].to_dict("records")
    base_of = dict(zip([i for i in at if i is not None], bases, strict=True))
    frame = factors.frame().set_index("code", drop=False) if None in at else None
    for (job, code, recs), i in zip(groups, at, strict=True):
        base = base_of[i] if i is not None else _table_row(frame, factors, code, job.inventory)
        errors: list = []
        rows = [(base, _facility_row(rec, base, factors, tables, errors)) for rec in recs]
        merge.problems_of[job.inventory] += _located(job.facilities, errors)
        merge.rows += rows
        if i is None:
            continue
        remainder = _remainder(base, [r for _b, r in rows])
        if remainder is None:
            merge.drop.append(i)
        else:
            merge.rest.append((i, *remainder))
            merge.with_rest.add((job.inventory, code))
    return merge


def _as_text(df, dtypes: dict) -> None:
    """Text columns stay text, whoever else is computed along (the facility rows' values may
    make a concatenated column another dtype)."""
    for c, dtype in dtypes.items():
        if df[c].dtype != dtype:
            df[c] = df[c].astype(dtype)


def _in_order(df, failed: dict, drop: list[int]):
    """One take: rows replaced by their facilities and inventories that failed leave; facility
    rows go after the Level 1 row of their code (stable: in the order given)."""
    import numpy as np

    keep = ~df["inventory"].isin(list(failed)).to_numpy()
    keep[np.asarray(drop, dtype=int)] = False
    rank = (df["facility"] != "").to_numpy()
    at = np.flatnonzero(keep)
    order = np.lexsort((rank[at], df["order"].to_numpy()[at], df["inventory"].to_numpy()[at]))
    return df.take(at[order]).reset_index(drop=True)


def _groups(jobs: list[FacilityJob], factors, tables: Level2Tables) -> list[tuple]:
    """(job, code, facility rows) of every sub-category with facility rows, in the order given
    (rows of a code Level 2 does not describe, or the factor table lacks, were refused by the
    checks)."""
    groups = []
    for job in jobs:
        by_code: dict[str, list[dict]] = {}
        for rec in job.facilities.rows:
            if rec["code"] in tables.families and rec["code"] in factors:
                by_code.setdefault(rec["code"], []).append(rec)
        groups += [(job, code, recs) for code, recs in by_code.items()]
    return groups


def _positions(table, jobs: list[FacilityJob]) -> dict[tuple[int, str], int]:
    """Positions of the rows of the inventories with facilities in a long table, by
    (inventory, code)."""
    import numpy as np

    inventories = table["inventory"].to_numpy()
    near = np.flatnonzero(np.isin(inventories, [j.inventory for j in jobs]))
    return dict(
        zip(
            zip(inventories[near].tolist(), table["code"].to_numpy()[near].tolist(), strict=True),
            near.tolist(),
            strict=True,
        )
    )


def _table_row(frame, factors, code: str, inventory: int) -> dict:
    """The Level 1 row facilities build on where the activity sheet has no row of their code:
    the factor table's, with no national activity."""
    base = frame.loc[code].to_dict()
    base.update(
        inventory=inventory,
        activity=math.nan,
        unit="",
        notes="",
        activity_cell="",
        scale=1.0,
        default_input_factor=factors[code].input_factor,
        facility="",
        method="default",
        basis="",
    )
    return base


def _located(facilities: FacilityData, errors: list) -> list[Problem]:
    """The problems `_facility_row` found, located on the facilities sheet."""
    return [
        Problem(
            message,
            file=str(facilities.path),
            sheet=facilities.sheet,
            cell=cell,
            expected=expected,
            code=code,
        )
        for cell, message, expected, code in errors
    ]


def _remainder(base: dict, rows: list[dict]) -> tuple[float, float, str] | None:
    """What the facilities leave of the national activity row, still at Level 1 defaults: its
    activity, its share of the row and how it reads; None where they cover the row (within the
    tolerance; facilities above it were refused by `check_against_national`)."""
    unit = base["activity_unit"]
    covered = sum(r["activity"] * _conversion(r["activity_unit"], unit) for r in rows)
    total = base["activity"]
    remainder = max(total - covered, 0.0)
    if remainder <= total * TOLERANCE:
        return None
    basis = _(
        "remainder: national activity {total} {unit} minus {covered} {unit} "
        "described as {facilities}, at Level 1 defaults"
    ).format(
        total=sum_text(total), covered=sum_text(covered), unit=unit, facilities=_count(len(rows))
    )
    return remainder, remainder / total, basis


def _failed(jobs: list[FacilityJob], problems_of: dict[int, list[Problem]]) -> dict:
    """The inventories whose facility rows have errors, with their ActivityError."""
    failed: dict[int, ActivityError] = {}
    for job in jobs:
        k = job.inventory
        if k not in failed and _failure(str(job.facilities.path), problems_of[k]):
            failed[k] = _failure(str(job.facilities.path), problems_of[k])
    return failed


def _set_remainders(df, rest: list[tuple[int, float, float, str]]) -> None:
    """National rows cut to what their facilities leave: the activity left, the input and
    releases in proportion, the basis saying so (whole columns replaced, never written in
    place)."""
    import numpy as np
    import pandas as pd

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


def _facility_frame(rows: list[tuple[dict, dict]]):
    """The facility rows as a table, or None for none: what `from_records` makes of the merged
    dicts {**base, **changes} (the same columns in the same order, NaN where a row has no such
    key, the same conversion), without building them."""
    import numpy as np
    import pandas as pd

    if not rows:
        return None
    names = list(dict.fromkeys(k for b, r in rows for k in (*b, *r)))
    return pd.DataFrame.from_records(
        [tuple(r[c] if c in r else b.get(c, np.nan) for c in names) for b, r in rows],
        columns=names,
    )


def _level2_sources(sources, jobs: list[FacilityJob], groups: list[tuple], with_rest: set):
    """The sources table with every sub-category that has facilities quantified at Level 2."""
    import pandas as pd

    sources = sources.copy()
    presence, detail = sources["presence"].tolist(), sources["detail"].tolist()
    spot = _positions(sources, jobs)
    for job, code, recs in groups:
        i = spot[(job.inventory, code)]
        presence[i] = "quantified"
        detail[i] = (
            _("Level 2: {facilities}; remainder at Level 1 defaults")
            if (job.inventory, code) in with_rest
            else _("Level 2: {facilities}")
        ).format(facilities=_count(len(recs)))
    sources["presence"] = pd.Series(presence, index=sources.index, dtype=sources["presence"].dtype)
    sources["detail"] = pd.Series(detail, index=sources.index, dtype=sources["detail"].dtype)
    return sources


def _metadata(tables: Level2Tables, jobs: list[FacilityJob], groups: list[tuple], failed) -> dict:
    """Per inventory computed: the Level 2 table used and how many facilities it has (and how
    many of them measured)."""
    counts: dict[int, list[int]] = {
        job.inventory: [0, 0] for job in jobs if job.inventory not in failed
    }
    for job, _code, recs in groups:
        tally = counts[job.inventory]
        for rec in recs:
            tally[0] += 1
            tally[1] += rec["measured_input_kg"] is not None or rec["measured_air_kg"] is not None
    return {
        k: {
            "level2_table_id": tables.id,
            "level2_table_version": tables.version,
            "level2_table_sha256": tables.sha256,
            "facilities": n,
            "facilities_measured": measured,
        }
        for k, (n, measured) in counts.items()
    }


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
