"""Releases to air, water and land apart from transfers, and why the outputs exceed the counted
input (issue 23): a trainer reads the terminal, the workbook, the report, batch's summary and
trend's totals of Valdoria 2021 and finds the same subtotals, the same sentence, and rankings
that never count product mercury twice."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.numbers import mass
from hginventory.engine.inventory import top_sources

from .conftest import EXAMPLES

EXAMPLE = EXAMPLES / "valdoria-2021.xlsx"

# The Toolkit's double-counting rules for Valdoria's waste rows, written out by hand: the share
# of the row's input counted in the national input, and the pathways left out of the totals.
WEIGHT = {"5.7.1": 0.1, "5.7.2": 0.1, "5.7.3": 0.1, "5.7.5": 0.1, "5.8.1": 0.1, "5.8.4": 0.1}
WEIGHT["5.8.5"] = 0.0
LEFT_OUT = {"5.8.4": {"land"}, "5.8.5": {"water"}}
RELEASES = ("air", "water", "land")
TRANSFERS = ("byproducts", "general_waste", "sector_treatment")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """`hginv compute` of Valdoria 2021, English: terminal text, workbook and CSV."""
    out = tmp_path_factory.mktemp("rel") / "v.xlsx"
    result = CliRunner().invoke(main, ["compute", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return result.output, out, pd.read_csv(out.with_suffix(".csv"), keep_default_na=False)


def by_hand(rows: pd.DataFrame) -> dict[str, float]:
    """The national totals from the CSV rows with the rules above; estimated rows set aside."""
    rows = rows[rows["status"] != "estimated"]
    weight = rows["code"].map(WEIGHT).fillna(1.0)
    out = {"hg_input_kg": float((rows["hg_input_kg"] * weight).sum())}
    counted = pd.Series(0.0, index=rows.index)
    for p in (*RELEASES, *TRANSFERS):
        kept = [p not in LEFT_OUT.get(c, set()) for c in rows["code"]]
        values = rows[f"{p}_kg"].where(kept, 0.0)
        out[f"{p}_kg"] = float(values.sum())
        counted += values
    out["releases_awl_kg"] = sum(out[f"{p}_kg"] for p in RELEASES)
    out["transfers_kg"] = sum(out[f"{p}_kg"] for p in TRANSFERS)
    out["releases_kg"] = out["releases_awl_kg"] + out["transfers_kg"]
    waste = weight < 1
    out["outputs_beyond_input_kg"] = float(
        (counted[waste] - rows.loc[waste, "hg_input_kg"] * weight[waste]).sum()
    )
    return out


def test_valdoria_2021_subtotals_and_outputs_beyond_input_by_hand(computed):
    """Air + water + land and the three transfers, each summed by hand from the result rows,
    are the totals' subtotals; the outputs beyond the counted input are the waste rows'."""
    _text, _book, rows = computed
    totals = compute(read_activity(EXAMPLE)).totals()
    hand = by_hand(rows)
    for key, value in hand.items():
        assert totals[key] == pytest.approx(value, abs=1e-6), key
    # the waste rows one by one: 5.7.x and 5.8.1 keep 90 % of their input beyond the counted
    # 10 %; 5.8.4 its outputs but land less its counted 10 %; 5.8.5 (none of its input counted)
    # its outputs but water
    row = rows.set_index("code")
    hg = row["hg_input_kg"]
    expected = 0.9 * sum(hg[c] for c in ("5.7.1", "5.7.2", "5.7.3", "5.7.5", "5.8.1"))
    expected += hg["5.8.4"] - row.at["5.8.4", "land_kg"] - 0.1 * hg["5.8.4"]
    expected += hg["5.8.5"] - row.at["5.8.5", "water_kg"]
    assert totals["outputs_beyond_input_kg"] == pytest.approx(expected)
    assert expected > 4000  # Valdoria's landfills alone: 0.9 x 2,900 kg
    # at Level 1 every row's outputs equal its input: the amount is all outputs minus input
    assert totals["releases_kg"] - totals["hg_input_kg"] == pytest.approx(expected)
    assert totals["releases_awl_kg"] + totals["transfers_kg"] == pytest.approx(
        totals["releases_kg"]
    )


def test_terminal_shows_releases_apart_from_transfers_and_says_why(computed):
    text, _book, rows = computed
    hand = by_hand(rows)
    lines = text.splitlines()

    def line(label):
        return next(x for x in lines if x.startswith(label))

    assert line("Releases to air, water and land").split()[-1] == mass(hand["releases_awl_kg"])
    assert line("Transfers to products and waste").split()[-1] == mass(hand["transfers_kg"])
    outputs, beyond = mass(hand["releases_kg"]), mass(hand["outputs_beyond_input_kg"])
    assert line("Total outputs (releases and transfers)").split()[-1] == outputs
    assert line("Outputs beyond the counted input (waste rows)").split()[-1] == beyond
    order = [i for i, x in enumerate(lines) if x.startswith(("Land ", "Releases to air", "By-"))]
    assert len(order) == 3 and order == sorted(order)  # the subtotal sits under the releases
    assert "Total releases" not in text
    sentence = " ".join(text.split())
    assert (
        f"The outputs ({outputs} kg Hg/y) exceed the counted input "
        f"({mass(hand['hg_input_kg'])} kg Hg/y): {beyond} kg Hg/y of outputs come from the waste "
        "sub-categories (5.7.1, 5.7.2, 5.7.3, 5.7.5, 5.8.1, 5.8.4, 5.8.5), whose input counts at "
        "10 % at most" in sentence
    )


def test_terminal_says_it_in_french(tmp_path):
    result = run("compute", EXAMPLE, "-o", tmp_path / "v.xlsx", "--lang", "fr")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Rejets dans l'air, l'eau et le sol" in text
    assert "Transferts vers les produits et les déchets" in text
    assert "dépassent l'apport compté" in text
    beyond = compute(read_activity(EXAMPLE)).totals()["outputs_beyond_input_kg"]
    def spaced(t):  # the terminal may show the narrow no-break space as a space
        return t.replace("\u202f", " ").replace("\xa0", " ")

    assert spaced(f"{mass(beyond, locale='fr')} kg Hg/an de sorties") in spaced(text)


def _cells(path, sheet) -> list[str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_workbook_summary_has_both_subtotals_as_formulas_and_the_sentence(computed):
    _text, book, rows = computed
    hand = by_hand(rows)
    formulas = openpyxl.load_workbook(book)["Summary"]
    values = openpyxl.load_workbook(book, data_only=True)["Summary"]
    found = {}
    for row in formulas.iter_rows():
        label = row[0].value
        if label in ("Releases to air, water and land", "Transfers to products and waste",
                     "Outputs beyond the counted input (waste rows)"):
            found[label] = (row[1].value, values.cell(row[1].row, 2).value)
    formula, value = found["Releases to air, water and land"]
    assert re.fullmatch(r"=D\d+\+E\d+\+F\d+", formula) and value == pytest.approx(
        hand["releases_awl_kg"]
    )
    formula, value = found["Transfers to products and waste"]
    assert re.fullmatch(r"=G\d+\+H\d+\+I\d+", formula) and value == pytest.approx(
        hand["transfers_kg"]
    )
    formula, value = found["Outputs beyond the counted input (waste rows)"]
    assert re.fullmatch(r"=J\d+-C\d+", formula)
    assert value == pytest.approx(hand["outputs_beyond_input_kg"])
    start = f"The outputs ({mass(hand['releases_kg'])} kg Hg/y) exceed"
    for sheet in ("Summary", "Read me"):
        assert any(c.startswith(start) for c in _cells(book, sheet)), sheet
    assert any("are transfers" in c for c in _cells(book, "Read me"))


def test_workbook_in_french_says_why(tmp_path):
    out = tmp_path / "v.xlsx"
    assert run("compute", EXAMPLE, "-o", out, "--lang", "fr").exit_code == 0
    for sheet in ("Summary", "Read me"):
        assert any(c.startswith("Les sorties (") and "dépassent l'apport compté" in c
                   for c in _cells(out, sheet)), sheet


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_executive_summary_separates_releases_from_transfers(tmp_path, lang):
    """The executive summary names the largest release pathways among air, water and land
    only, gives the transfers apart, says why outputs exceed input, and never calls sector
    specific treatment or general waste a largest pathway."""
    out = tmp_path / "r.html"
    result = run("report", EXAMPLE, "-o", out, "--lang", lang)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    summary = page[page.index("</h1>", page.index('id="s-1-')) : page.index('id="s-2-')]
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split()).replace("&#x27;", "'")
    text = text.replace("&#39;", "'")
    if lang == "en":
        assert "are released to air, water and land, the largest release pathway first: air" in text
        assert "are transferred to by-products and impurities" in text
        assert "kg Hg/y) exceed the counted input (" in text
        assert "The largest pathways are" not in text
        for caption in (
            "The ten largest sources of releases to air, water and land",
            "The ten largest sources of releases to air",
            "The ten largest mercury inputs (counted in the total)",
        ):
            assert caption in text
    else:
        assert "sont rejetés dans l'air, l'eau et le sol" in text
        assert "sont transférés vers les sous-produits" in text
        assert "dépassent l'apport compté" in text
        assert "Les dix principales sources de rejets dans l'air" in text
    # no ranking of the summary lists the controlled landfills (5.8.1)
    assert "5.8.1" not in re.sub(r"\(5\.7\.1, [^)]*\)", "", text)


def test_rankings_never_put_landfills_among_the_largest_sources():
    """By all six outputs 5.8.1 controlled landfills ranked 4th (product mercury counted a
    second time); by releases (air, or air + water + land) or counted input it is not in the
    ten largest, and an unknown ranking is refused."""
    inv = compute(read_activity(EXAMPLE))
    for by in ("air_kg", "releases_awl_kg", "counted_input_kg"):
        top = top_sources(inv, 10, by)
        assert "5.8.1" not in set(top["code"]), by
        assert list(top[by]) == sorted(top[by], reverse=True)
    top = top_sources(inv, 10, "releases_awl_kg")
    counted = inv.counted_releases()
    first = top.index[0]
    assert top.at[first, "releases_awl_kg"] == pytest.approx(
        sum(counted.at[first, f"{p}_kg"] for p in RELEASES)
    )
    assert top_sources(inv, 3, "air_kg")["code"].tolist() == ["5.2.2b", "5.2.2a", "5.1.1"]
    with pytest.raises(ValueError):
        top_sources(inv, 10, "releases_kg")


def test_batch_summary_adds_the_columns_and_keeps_the_old_ones(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    result = run("batch", folder, "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "out" / "summary.csv").iloc[0]
    totals = compute(read_activity(EXAMPLE)).totals()
    old = ["hg_input_kg", *(f"{p}_kg" for p in (*RELEASES, *TRANSFERS)), "releases_kg"]
    new = ["releases_awl_kg", "transfers_kg", "outputs_beyond_input_kg"]
    for key in (*old, *new):
        assert summary[key] == pytest.approx(totals[key], rel=1e-11), key
    assert summary["releases_kg"] == pytest.approx(
        summary["releases_awl_kg"] + summary["transfers_kg"]
    )
    assert summary["outputs_beyond_input_kg"] == pytest.approx(
        summary["releases_kg"] - summary["hg_input_kg"]
    )


def test_trend_totals_carry_the_subtotals(tmp_path):
    years = [EXAMPLES / f"valdoria-{y}.xlsx" for y in (2018, 2021)]
    result = run("trend", *years, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    totals = pd.read_csv(tmp_path / "totals.csv").set_index("year")
    for year, path in zip((2018, 2021), years, strict=True):
        expected = compute(read_activity(path)).totals()
        for key in ("releases_kg", "releases_awl_kg", "transfers_kg", "outputs_beyond_input_kg"):
            assert totals.at[year, key] == pytest.approx(expected[key], rel=1e-11), (year, key)
    ws = openpyxl.load_workbook(tmp_path / "trend.xlsx")["Totals by pathway"]
    headers = [c.value for c in ws[1]]
    at = {h: i for i, h in enumerate(headers)}
    releases = at["Releases to air, water and land (kg Hg/y)"]
    transfers = at["Transfers to products and waste (kg Hg/y)"]
    pathways = ["Air (kg Hg/y)", "Water (kg Hg/y)", "Land (kg Hg/y)"]
    assert headers[releases - 3 : releases] == pathways
    assert releases < transfers < at["Total outputs (releases and transfers) (kg Hg/y)"]
    assert "Outputs beyond the counted input (waste rows) (kg Hg/y)" in at
