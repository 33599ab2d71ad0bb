"""What a country submits (issue 26): the Toolkit's source presence table (Y/N/?), potential hot
spots, data quality and data gaps, and the Article 21 annex (Article 8 by Annex D category with
5.1.2 split or labelled, Article 9 to water and land, the Annex C ASGM baseline)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.errors import ActivityError
from hginventory.engine.submission import (
    annex_c_table,
    article8_split,
    article9_table,
    data_gaps,
    presence_table,
)

from .conftest import DEFAULT_COUNTRY, EXAMPLES

LEVEL2 = EXAMPLES / "valdoria-2021-level2.xlsx"
LEVEL1 = EXAMPLES / "valdoria-2021.xlsx"
NEW_SHEETS = {"Presence and gaps", "Article 21"}


def reporting_workbook(path: Path, rows, country=None, hotspots=None) -> Path:
    """An activity workbook with the optional reporting columns: rows are (code, activity,
    unit, presence, data_quality, data_source); `hotspots` rows (site, type, location,
    status, notes) go on a `hotspots` sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    ws.append(["field", "value"])
    for item in {**DEFAULT_COUNTRY, **(country or {})}.items():
        ws.append(list(item))
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes", "presence", "data_quality", "data_source"])
    for row in rows:
        code, activity, unit, *rest = row
        rest = list(rest) + [""] * (3 - len(rest))
        ws.append([code, activity, unit, "", *rest])
    if hotspots is not None:
        ws = wb.create_sheet("hotspots")
        ws.append(["site", "type", "location", "status", "notes"])
        for h in hotspots:
            ws.append(list(h))
    wb.save(path)
    return path


def compute_cli(path: Path, out: Path, *extra) -> Path:
    result = CliRunner().invoke(main, ["compute", str(path), "-o", f"{out}/", *extra])
    assert result.exit_code == 0, result.output
    return out / f"{path.stem}-inventory.xlsx"


def sheet_rows(book: Path, name: str) -> list[list]:
    ws = load_workbook(book, read_only=True)[name]
    return [list(r) for r in ws.iter_rows(values_only=True)]


# --- source presence (Y/N/?) ------------------------------------------------------------------


def test_presence_marks_y_for_quantified_n_for_no_and_question_mark_for_blank_or_ne(tmp_path):
    path = reporting_workbook(
        tmp_path / "marks.xlsx",
        [
            ("5.1.1", 1000, "t"),  # quantified: Y
            ("5.1.2", "NO", "t"),  # N
            ("5.1.3a", "NE", "t"),  # ?
            ("5.1.3b", None, "t"),  # blank: ?
            ("5.1.3c", "NE", "t", "Y"),  # known present, not estimated: Y
            ("5.1.4a", None, "Nm3", "N"),  # blank, said absent: N
            ("5.1.5", "NA", "t"),  # N
            ("5.9.1", "NO", "corpses"),
            ("5.9.2", "NO", "corpses"),
        ],
    )
    inv = compute(read_activity(path))
    table = presence_table(inv)
    marks = dict(zip(table["code"], table["mark"], strict=True))
    expected = {
        "5.1.1": "Y",
        "5.1.2": "N",
        "5.1.3a": "?",
        "5.1.3b": "?",
        "5.1.3c": "Y",
        "5.1.4a": "N",
        "5.1.5": "N",
        "5.1.6a": "?",  # not in the workbook at all
        "5.1": "Y",  # main category: a sub-category is Y
        "5.9": "N",  # main category: every sub-category is N
        "5.2": "?",  # main category: nothing said
        "5.10": "?",  # no hot spot listed
    }
    assert {k: marks[k] for k in expected} == expected
    # every sub-category of the Toolkit once (the ASGM "mercury used known" alternatives are
    # activities of 5.2.2a-c, not sub-categories), in the factor table's order under its group
    subs = table[table["level"] == "sub"]["code"].tolist()
    assert subs == [r.code for r in inv.factors.rows if not r.replaces]
    assert table["level"].tolist().count("group") == len(inv.factors.groups)


def test_ne_rows_are_data_gaps_and_d_rows_too(tmp_path):
    path = reporting_workbook(
        tmp_path / "gaps.xlsx",
        [("5.1.1", 1000, "t", "", "D", "guess of the ministry"), ("5.1.2", "NE", "t")],
    )
    gaps = data_gaps(compute(read_activity(path)))
    pairs = set(zip(gaps["code"], gaps["reason"], strict=True))
    assert ("5.1.1", "expert") in pairs
    assert ("5.1.2", "NE") in pairs
    assert ("5.1.3a", "unknown") in pairs  # left out of the workbook: presence not known
    assert ("5.1.1", "NE") not in pairs and ("5.1.1", "unknown") not in pairs


def test_level2_example_workbook_shows_presence_quality_hot_spots_and_gaps(tmp_path):
    book = compute_cli(LEVEL2, tmp_path)
    rows = sheet_rows(book, "Presence and gaps")
    by_code: dict = {}
    for r in rows:  # the presence table first; the gaps table repeats some codes
        if r and r[0]:
            by_code.setdefault(r[0], r)
    assert by_code["5.1.1"][2] == "Y" and by_code["5.1.1"][6] == "A: measured or plant data"
    assert by_code["5.1.1"][7] == "Plant fuel records 2021"
    assert by_code["5.2.3"][2:4] == ["Y", "presence column"]  # NE, said present
    assert by_code["5.5.4"][2] == "?"
    assert by_code["5.10"][2] == "Y"  # hot spots listed
    sites = [r[0] for r in rows if r and r[1] in (
        "Closed or abandoned chlor-alkali production sites",
        "Tailings and sites of artisanal and large-scale gold mining",
    )]
    assert sites == ["Former Porto Clor cell room (line 1)", "Rio Verde amalgamation tailings"]
    text = [str(c) for r in rows for c in r if c]
    assert "Data gaps and next steps" in text
    assert "data quality D: expert judgement" in text
    assert "key category without plant data" in text


def test_level2_example_report_has_the_new_chapters_in_english_and_french(tmp_path):
    for lang, words in (
        ("en", ["2.1 Source presence in the Toolkit's form (Y/N/?)", "2.2 Potential hot spots",
                "Data gaps and next steps", "For the national report (Article 21)",
                "Rio Verde amalgamation tailings"]),
        ("fr", ["2.1 Présence des sources", "2.2 Points chauds potentiels",
                "Lacunes dans les données", "Rio Verde amalgamation tailings"]),
    ):
        out = tmp_path / f"report-{lang}.html"
        result = CliRunner().invoke(main, ["report", str(LEVEL2), "-o", str(out), "--lang", lang])
        assert result.exit_code == 0, result.output
        html = out.read_text(encoding="utf-8")
        for w in words:
            assert w.replace("'", "&#x27;") in html or w in html, (lang, w)


# --- Article 21 annex ---------------------------------------------------------------------------


def test_article8_coal_line_is_an_upper_bound_without_a_share(tmp_path):
    path = reporting_workbook(tmp_path / "coal.xlsx", [("5.1.2", 1_000_000, "t")])
    a8 = article8_split(compute(read_activity(path)))
    line = a8[a8["annex_d_source"] == "Coal-fired industrial boilers"].iloc[0]
    assert line["air_kg"] == pytest.approx(150.0)  # 1,000,000 t x 0.15 g/t x air 1
    assert line["label"] == "upper-bound"
    book = compute_cli(path, tmp_path / "out")
    text = [str(c) for r in sheet_rows(book, "Article 21") for c in r if c]
    assert any(t.startswith("upper bound, includes other coal uses") for t in text)


def test_article8_coal_line_is_split_by_the_industrial_boilers_share(tmp_path):
    path = reporting_workbook(
        tmp_path / "coal.xlsx",
        [("5.1.2", 1_000_000, "t")],
        country={"coal_industrial_boilers_share": 40},
    )
    a8 = article8_split(compute(read_activity(path)))
    coal = a8[a8["codes"] == "5.1.2"].set_index("label")["air_kg"]
    assert coal["split"] == pytest.approx(60.0)  # 40 % of 150 kg
    assert coal["rest"] == pytest.approx(90.0)
    book = compute_cli(path, tmp_path / "out")
    rows = sheet_rows(book, "Article 21")
    total = next(r for r in rows if r[0] == "Total, Annex D sources")
    assert total[2] == pytest.approx(60.0)  # the rest is not an Annex D source


def test_article9_water_and_land_by_sub_category_largest_first(tmp_path):
    path = reporting_workbook(
        tmp_path / "a9.xlsx",
        [
            ("5.9.2", 1000, "corpses"),  # 2.5 g/corpse, all to land: 2.5 kg
            ("5.2.2a", 100, "kg"),  # 3 kg Hg/kg gold: 300 kg; water 105, land 105
            ("5.8.5", 1_000_000, "m3"),  # water 2.5 kg, left out of the totals
            ("5.9.1", 1000, "corpses"),  # air only
        ],
    )
    a9 = article9_table(compute(read_activity(path)))
    assert a9["code"].tolist() == ["5.2.2a", "5.9.2"]
    assert a9["water_kg"].tolist() == pytest.approx([105.0, 0.0])
    assert a9["land_kg"].tolist() == pytest.approx([105.0, 2.5])


def test_annex_c_asgm_baseline_by_practice_with_worst_practices(tmp_path):
    path = reporting_workbook(
        tmp_path / "asgm.xlsx", [("5.2.2a", 100, "kg"), ("5.2.2b", 50, "kg"), ("5.2.2c", 10, "kg")]
    )
    ac = annex_c_table(compute(read_activity(path))).set_index("code")
    assert ac.loc["5.2.2a", "mercury_kg"] == pytest.approx(300.0)
    assert ac.loc["5.2.2a", "air_kg"] == pytest.approx(90.0)
    assert ac.loc["5.2.2b", "mercury_kg"] == pytest.approx(50.0)  # 1 kg Hg per kg gold
    assert ac.loc["5.2.2c", "mercury_kg"] == pytest.approx(3.0)
    assert ac["worst"].to_dict() == {
        "5.2.2a": "whole-ore",
        "5.2.2b": "open-burning",
        "5.2.2c": "",
    }


def test_annex_c_per_facility_in_the_level2_example(tmp_path):
    book = compute_cli(LEVEL2, tmp_path)
    rows = sheet_rows(book, "Article 21")
    rio = next(r for r in rows if r[2] == "Rio Verde cooperatives")
    assert "cyanide leaching" in rio[8] and "open burning" in rio[8]
    boilers = next(r for r in rows if r[0] == "Coal-fired industrial boilers")
    assert boilers[3].startswith("40 per cent of the air emissions of 5.1.2")


# --- old workbooks and bad values ---------------------------------------------------------------


def test_a_workbook_without_the_new_fields_computes_byte_identically(tmp_path):
    """The example with empty reporting columns and an empty hotspots sheet: the same CSV
    bytes, and every sheet but the two new ones (and the run's Metadata) the same cells."""
    plain = tmp_path / "plain" / "valdoria.xlsx"
    plain.parent.mkdir()
    shutil.copy(LEVEL1, plain)
    empty = tmp_path / "empty" / "valdoria.xlsx"
    empty.parent.mkdir()
    wb = load_workbook(LEVEL1)
    ws = wb["activity"]
    for c, name in enumerate(("presence", "data_quality", "data_source"), start=5):
        ws.cell(row=1, column=c, value=name)
    wb.create_sheet("hotspots").append(["site", "type", "location", "status", "notes"])
    wb.save(empty)
    a = compute_cli(plain, tmp_path / "a")
    b = compute_cli(empty, tmp_path / "b")
    assert a.with_suffix(".csv").read_bytes() == b.with_suffix(".csv").read_bytes()
    wa, wb_ = load_workbook(a), load_workbook(b)
    assert wa.sheetnames == wb_.sheetnames
    assert NEW_SHEETS <= set(wa.sheetnames)
    for name in wa.sheetnames:
        if name in NEW_SHEETS | {"Metadata"}:
            continue
        assert cells_of(wa[name]) == cells_of(wb_[name]), name


def cells_of(ws) -> list:
    """Every cell value but the time of the run."""
    return [
        [c.value for c in r if not str(c.value).startswith("Computed by hginv")]
        for r in ws.iter_rows()
    ]


@pytest.mark.parametrize(
    "row, hotspots, country, cell, code",
    [
        (("5.1.1", 1000, "t", "X"), None, None, "activity!E2", "presence-invalid"),
        (("5.1.1", 1000, "t", "", "E"), None, None, "activity!F2", "data-quality-invalid"),
        (("5.1.1", 1000, "t", "N"), None, None, "activity!E2", "presence-n-with-activity"),
        (("5.1.1", "NO", "t", "Y"), None, None, "activity!E2", "presence-contradicts-no"),
        (
            ("5.1.1", 1000, "t"),
            [("Old mine", "volcano", "", "", "")],
            None,
            "hotspots!B2",
            "hotspot-type-unknown",
        ),
        (
            ("5.1.1", 1000, "t"),
            None,
            {"coal_industrial_boilers_share": 150},
            "country!B6",
            "coal-boilers-share-range",
        ),
    ],
)
def test_bad_reporting_values_are_located_errors(tmp_path, row, hotspots, country, cell, code):
    path = reporting_workbook(tmp_path / "bad.xlsx", [row], country=country, hotspots=hotspots)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["compute", str(path), "-o", f"{tmp_path}/out/"])
    assert result.exit_code != 0
    assert cell in result.output
    assert path.read_bytes() == before
    with pytest.raises(ActivityError) as info:
        compute(read_activity(path))
    assert (code, cell) in [(p.code, f"{p.sheet}!{p.cell}") for p in info.value.errors]


def test_a_hot_spot_type_may_be_named_in_french(tmp_path):
    path = reporting_workbook(
        tmp_path / "fr.xlsx",
        [("5.1.1", 1000, "t")],
        hotspots=[("Ancienne usine", "Sites d'accidents importants", "Nord", "fermé", "")],
    )
    inv = compute(read_activity(path))
    assert inv.submission.hotspots[0]["type"] == "accident-sites"


def test_the_templates_reporting_fields_are_read_back(tmp_path):
    """A focal point fills the template's new columns, country field and hotspots sheet."""
    template = tmp_path / "template.xlsx"
    result = CliRunner().invoke(main, ["template", "-o", str(template)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(template)
    ws = wb["country"]
    values = {"country": "Testland", "year": 2021, "coal_industrial_boilers_share": 30}
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=2, value=values.get(ws.cell(row=r, column=1).value))
    ws = wb["activity"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in ("activity", "presence", "data_quality")}
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == "5.1.2":
            ws.cell(row=r, column=col["activity"], value=1_000_000)
            ws.cell(row=r, column=col["data_quality"], value="B")
        if ws.cell(row=r, column=1).value == "5.2.1":
            ws.cell(row=r, column=col["presence"], value="N")
    wb["hotspots"].append(["Old cell room", "closed-chlor-alkali", "North", "closed", ""])
    wb.save(template)
    inv = compute(read_activity(template))
    table = presence_table(inv).set_index("code")
    assert table.loc["5.1.2", ["mark", "data_quality"]].tolist() == ["Y", "B"]
    assert table.loc["5.2.1", "mark"] == "N"
    assert table.loc["5.10", "mark"] == "Y"
    coal = article8_split(inv).set_index("label")["air_kg"]
    assert coal["split"] == pytest.approx(45.0)  # 30 % of 1,000,000 t x 0.15 g/t


def test_data_quality_is_shown_beside_each_activity_figure_of_the_report(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(LEVEL2), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    start = html.index("5.1 Activity data")
    chapter = html[start : html.index("5.2 Factors used", start)]
    assert "Data quality" in chapter
    assert "A: measured or plant data" in chapter and "B: national statistics" in chapter
