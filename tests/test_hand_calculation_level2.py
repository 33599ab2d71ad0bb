"""The Level 2 example's golden result checked once against a hand calculation.

`test_hand_calculation.py` does this for the Level 1 examples; here every row of
`valdoria-2021-level2.csv` is recomputed the way a Toolkit trainer does it on paper, from the
text of the factor tables (`factors/toolkit_level1.csv`, `factors/level2/*.csv`, csv module)
and the cells of the workbook's `activity` and `facilities` sheets (openpyxl): no engine, no
reader, no pandas. The rules are those of docs/level2.md and docs/level2-physics.md:

- a facility's Hg input is its measured input, else its activity x its own Hg content, else x
  its input type's content (a dry-basis content x (1 - moisture %)), else x the Level 1 input
  factor; plus the waste a cement kiln co-incinerates; coal washed abroad brings only the
  washed coal's Hg (x the washing's pass-through) and no rejects;
- its outputs follow its configuration: the control's split (else the Level 1 split), the
  pre-treatments before it (own shares + pass-through x the split), then the additions (the Hg
  of the pathway they act on moved as their shares say); a measured air emission replaces the
  air share and the rest of the input goes to the other pathways in their proportions;
- the national row keeps, at Level 1 defaults, the activity its facilities leave.

Every number is compared with the golden CSV at a relative tolerance of 1e-9 (1e-9 kg absolute
for zeros), row by row, the failure naming the row and the column. The national totals are not
recomputed here: no golden file holds them for this example, and this test runs no engine.
"""

import csv
import math

import openpyxl

from .conftest import EXAMPLES, GOLDEN, ROOT
from .hand_units import ACTIVITY_UNITS, KG_PER, NOTATION, PATHWAYS

CASE = "valdoria-2021-level2"
LEVEL2 = ROOT / "factors" / "level2"
# a facility's own Hg content (`hg_content_unit`) -> kg of mercury per tonne of its input
CONTENT_KG_PER_T = {"g/t": 1e-3, "mg/kg": 1e-3}
YES = {"yes", "y", "true", "1", "oui", "o", "vrai", "sí", "si", "s", "verdadero"}
NUMBERS = ["activity", "input_factor", "hg_input_kg", *(f"{p}_kg" for p in PATHWAYS)]


def _table(path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row.get("code") or row["id"]: row for row in csv.DictReader(fh)}


def _sheet(wb, name: str) -> list[dict]:
    rows = wb[name].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=False)) for row in rows if row[0] is not None]


def _split(row: dict[str, str]) -> dict[str, float]:
    return {p: float(row[p]) for p in PATHWAYS}


def _distribution(control: str, level1: dict, configs: dict, washed_abroad: bool):
    """The share of the facility's Hg input per pathway: pre-treatments, one control (else the
    Level 1 split), additions, in that order (docs/level2-physics.md)."""
    named = [configs[c.strip()] for c in control.split("+") if c.strip()]
    controls = [c for c in named if c["kind"] == "control"]
    split = _split(controls[0]) if controls else _split(level1)
    if not washed_abroad:  # the rejects of washing in the country are national
        for pre in reversed([c for c in named if c["kind"] == "pretreatment"]):
            own, passed = _split(pre), float(pre["pass_through"])
            split = {p: own[p] + passed * split[p] for p in PATHWAYS}
    for add in (c for c in named if c["kind"] == "addition"):
        on, shares = add["acts_on"], _split(add)
        split = {p: (0.0 if p == on else split[p]) + split[on] * shares[p] for p in PATHWAYS}
    return split, named


def _hg_input(fac: dict, level1: dict, inputs: dict, activity: float) -> float:
    """kg/y: measured, else activity (in the factor table's unit) x the facility's content."""
    if fac["measured_input_kg"] is not None:
        return float(fac["measured_input_kg"])
    if fac["hg_content"] is not None:
        unit = fac["hg_content_unit"]
        if unit:
            assert level1["activity_unit"] == "t", fac["facility"]
            per_unit = CONTENT_KG_PER_T[unit]
        else:
            per_unit = KG_PER[level1["input_factor_unit"]]
        hg = activity * float(fac["hg_content"]) * per_unit
    elif fac["input_type"]:
        kind = inputs[fac["input_type"]]
        per_unit = float(kind["input_factor"]) * KG_PER[kind["input_factor_unit"]]
        if kind["input_basis"] == "dry" and fac["moisture_pct"] is not None:
            per_unit *= 1 - float(fac["moisture_pct"]) / 100  # dry content -> as received
        hg = activity * per_unit
    else:
        hg = activity * float(level1["input_factor"]) * KG_PER[level1["input_factor_unit"]]
    if fac["coincinerated_waste_t"]:
        waste = inputs["cement-coincinerated-waste"]
        hg += float(fac["coincinerated_waste_t"]) * float(waste["input_factor"]) * KG_PER["g/t"]
    return hg


def facility_row(fac: dict, level1: dict, inputs: dict, configs: dict) -> dict:
    """One facility's golden row by hand: activity, implied input factor, input, six outputs."""
    if fac["activity"] is not None:
        typed = float(fac["activity"])
    else:
        typed = float(fac["capacity"]) * float(fac["utilisation"]) / 100
    unit = fac["unit"] or level1["activity_unit"]
    base_unit, multiplier = ACTIVITY_UNITS[unit]
    assert base_unit == level1["activity_unit"], (fac["facility"], unit)
    activity = typed * multiplier
    washed_abroad = str(fac["washed_abroad"] or "").strip().lower() in YES
    hg = _hg_input(fac, level1, inputs, activity)
    split, named = _distribution(fac["control"] or "", level1, configs, washed_abroad)
    if washed_abroad and fac["measured_input_kg"] is None:
        for pre in (c for c in named if c["kind"] == "pretreatment"):
            hg *= float(pre["pass_through"])  # the washed coal's Hg: as mined x pass-through
    if fac["measured_air_kg"] is None:
        out = {p: hg * split[p] for p in PATHWAYS}
    else:  # the stack measurement; the rest of the input in the other pathways' proportions
        air, rest_share = float(fac["measured_air_kg"]), 1 - split["air"]
        out = {p: (hg - air) * split[p] / rest_share for p in PATHWAYS}
        out["air"] = air
    measured = fac["measured_input_kg"] is not None or fac["measured_air_kg"] is not None
    return {
        "method": "measured" if measured else "level2",
        "activity_unit": unit,
        "activity": typed,
        "input_factor": hg / activity / KG_PER[level1["input_factor_unit"]],
        "hg_input_kg": hg,
        **{f"{p}_kg": out[p] for p in PATHWAYS},
    }


def level1_row(value: float, unit: str, level1: dict, country: dict) -> dict:
    """A row at Level 1 defaults: activity x input factor (x electrification where the factor
    table says so), split by the Level 1 distribution factors."""
    base_unit, multiplier = ACTIVITY_UNITS[unit]
    assert base_unit == level1["activity_unit"], (level1["code"], unit)
    input_factor = float(level1["input_factor"])
    if level1["scaling"] == "electrification":
        input_factor *= float(country["electrification_rate"]) / 100
    hg = value * multiplier * input_factor * KG_PER[level1["input_factor_unit"]]
    return {
        "method": "default",
        "activity_unit": unit,
        "activity": value,
        "input_factor": input_factor,
        "hg_input_kg": hg,
        **{f"{p}_kg": hg * float(level1[p]) for p in PATHWAYS},
    }


def _given(wb) -> dict[str, tuple[float | None, str]]:
    """The activity sheet's rows: a number, or None for a blank or a notation key (NO, NE...)."""
    given = {}
    for row in _sheet(wb, "activity"):
        value = row["activity"]
        number = None if value is None or str(value) in NOTATION else float(value)
        given[str(row["code"])] = (number, str(row["unit"]))
    return given


def hand_calculation_level2() -> dict[tuple[str, str], dict]:
    """Every row of the Level 2 example keyed by (code, facility): the facility rows, what they
    leave of their national rows, and every other sub-category at Level 1 defaults."""
    level1 = _table(ROOT / "factors" / "toolkit_level1.csv")
    inputs = _table(LEVEL2 / "inputs.csv")
    configs = _table(LEVEL2 / "configurations.csv")
    wb = openpyxl.load_workbook(EXAMPLES / f"{CASE}.xlsx", read_only=True)
    country = {row["field"]: row["value"] for row in _sheet(wb, "country")}
    rows: dict[tuple[str, str], dict] = {}
    covered: dict[str, float] = {}  # activity of the facilities, in the factor table's unit
    for fac in _sheet(wb, "facilities"):
        code = str(fac["code"])
        row = facility_row(fac, level1[code], inputs, configs)
        rows[(code, fac["facility"])] = row
        covered[code] = covered.get(code, 0.0) + _in_factor_unit(row)
    given = {c: v for c, v in _given(wb).items() if v[0] is not None}
    replaced = {level1[c]["replaces"] for c in given} & set(given)  # reported as IE
    for code, (value, unit) in given.items():
        if code in replaced:
            continue
        if code in covered:  # the national activity its facilities leave, if any
            value -= covered[code] / ACTIVITY_UNITS[unit][1]
            if value <= given[code][0] * 1e-9:
                continue
        rows[(code, "")] = level1_row(value, unit, level1[code], country)
    return rows


def _in_factor_unit(row: dict) -> float:
    return row["activity"] * ACTIVITY_UNITS[row["activity_unit"]][1]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _golden() -> dict[tuple[str, str], dict[str, str]]:
    with open(GOLDEN / f"{CASE}.csv", newline="", encoding="utf-8") as fh:
        return {(row["code"], row["facility"]): row for row in csv.DictReader(fh)}


def test_every_golden_row_is_the_hand_calculation():
    rows, golden = hand_calculation_level2(), _golden()
    assert set(golden) == set(rows), (
        f"rows only in the golden file: {sorted(set(golden) - set(rows))}, "
        f"only by hand: {sorted(set(rows) - set(golden))}"
    )
    wrong = []
    for key, row in rows.items():
        for name, value in row.items():
            expected = golden[key][name]
            same = _close(float(expected), value) if name in NUMBERS else expected == value
            if not same:
                row_name = f"{key[0]} {key[1] or '(national row)'}"
                wrong.append(f"{row_name} {name}: golden {expected}, by hand {value!r}")
    assert not wrong, "\n".join(wrong)


def test_the_hand_calculation_repeats_the_documented_examples():
    """A guard on the guard: the worked examples of docs/level2-physics.md and the rule that the
    rows of a code add up to its national activity (5.1.1: 6.5 Mt, 5.3.1: 5.6 Mt)."""
    rows = hand_calculation_level2()
    rio_verde = rows[("5.2.2b", "Rio Verde cooperatives")]
    assert [rio_verde[f"{p}_kg"] for p in ("air", "water", "land")] == [1143.75, 262.5, 93.75]
    northgate = rows[("5.1.1", "Northgate power station")]
    assert _close(northgate["hg_input_kg"], 191.1)
    assert _close(northgate["air_kg"], 143.325) and _close(northgate["sector_treatment_kg"], 47.775)
    for code, national in (("5.1.1", 6.5e6), ("5.3.1", 5.6e6)):
        tonnes = sum(_in_factor_unit(r) for (c, _), r in rows.items() if c == code)
        assert _close(tonnes, national), code
