"""One number, one rounding: what hginv prints as text (terminal, report, workbook text) is
rounded as Excel and LibreOffice display the workbook's numbers, half away from zero, so a
trainer reading the report beside the workbook never sees 8,189.1 on one and 8,189.2 on the
other. The examples hold such exact halves: 5.2.9's air 52.25, primary metals' air 5,395.25
(2021), 5.6.2's air 34.65, the sum of sector-specific treatment 8,189.15 (2021)."""

import csv
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.core.numbers import FRACTION, MASS, format_number, rounded

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["valdoria-2015", "valdoria-2018", "valdoria-2021", "valdoria-2021-level2"]
SOFFICE = shutil.which("soffice")
RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
"""Comma, quote, UTF-8, cells as shown (token 9), every sheet to its own file (token 12)."""


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (8189.15, 1, "8,189.2"),  # 2021's sum of sector-specific treatment
        (2168.25, 1, "2,168.3"),
        (52.25, 1, "52.3"),
        (34.65, 1, "34.7"),  # 34.64999... in binary, read back as 34.65
        (-0.05, 1, "-0.1"),  # away from zero on both sides
        (1.005, 2, "1.01"),
        (59.849999999999994, 1, "59.8"),  # a sum just under the half, as LibreOffice shows it
        (0.04, 1, "0.0"),
        (-0.04, 1, "0.0"),  # never "-0.0"
    ],
)
def test_halves_round_away_from_zero_as_excel_displays_them(value, places, text):
    assert format_number(value, MASS, places) == text


def test_every_language_rounds_the_same_digits():
    assert format_number(8189.15, locale="fr") == "8\u202f189,2"
    assert format_number(8189.15, locale="es") == "8.189,2"
    assert format_number(0.12345, FRACTION) == "12.3 %"
    assert str(rounded(8189.15, 1)) == "8189.2"


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """Every example computed and reported in English; its workbook rendered by LibreOffice
    (formulas recalculated, every sheet exported as shown) in one soffice call."""
    if SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    d = tmp_path_factory.mktemp("rounding")
    (d / "out").mkdir()
    books = []
    for name in EXAMPLES:
        src = d / f"{name}.xlsx"
        shutil.copy(ROOT / "examples" / f"{name}.xlsx", src)
        out = d / "out" / f"{name}.xlsx"
        done = CliRunner().invoke(main, ["compute", str(src), "-o", str(out), "--lang", "en"])
        assert done.exit_code == 0, done.output
        page = d / "out" / f"{name}.html"
        done = CliRunner().invoke(main, ["report", str(src), "-o", str(page), "--lang", "en"])
        assert done.exit_code == 0, done.output
        books.append(out)
    profile = d / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(RECALC, encoding="utf-8")
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.parent.as_uri()}", "--headless",
         "--convert-to", AS_SHOWN, "--outdir", str(d / "csv"), *map(str, books)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"dir": d}


def near(value: float, steps: int = 8) -> list[float]:
    """`value` and its neighbours a few binary digits away: LibreOffice's SUM (compensated)
    and hginv's sums may differ in the last digit."""
    out, up, down = [value], value, value
    for _ in range(steps):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        out += [up, down]
    return out


def lo_sheet(shown, name: str, sheet: str) -> list[list[str]]:
    path = shown["dir"] / "csv" / f"{name}-{sheet}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [[c.strip() for c in row] for row in csv.reader(f)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_hginv_prints_every_workbook_number_as_libreoffice_shows_it(shown, name):
    """Each number of the Summary and Calculation sheets with a fixed number of decimals,
    formatted by hginv from the value the workbook holds, reads as LibreOffice displays it.
    A row's own value (a product: computed alike by both) must match exactly, the exact
    halves included (52.25 -> 52.3, 59.849999999999994 -> 59.8); a sum may differ from
    LibreOffice's in the last binary digit, so it may match a neighbour of hginv's value."""
    path = shown["dir"] / "out" / f"{name}.xlsx"
    book, formulas = load_workbook(path, data_only=True), load_workbook(path)
    compared, differ = 0, []
    for sheet in ("Summary", "Calculation"):
        rows = lo_sheet(shown, name, sheet)
        for line in book[sheet].iter_rows():
            for c in line:
                formula = str(formulas[sheet][c.coordinate].value)
                summed = "SUM" in formula or re.search(r"[A-Z]\d+\s*[-+]", formula)
                fmt = c.number_format or ""
                if type(c.value) not in (int, float) or not fmt.startswith("#,##0."):
                    continue
                places = len(fmt.split(".")[1].split("_")[0].split(" ")[0])
                text = rows[c.row - 1][c.column - 1] if c.row <= len(rows) else ""
                mine = format_number(c.value, MASS, places)
                shown_alike = {format_number(v, MASS, places) for v in near(c.value)}
                compared += 1
                if mine != text and not (summed and text in shown_alike):
                    differ.append(f"{sheet}!{c.coordinate} {c.value!r}: {mine} vs {text}")
    assert compared > 200 and not differ, "\n".join(differ[:20])


def report_rows(path: Path) -> list[list[str]]:
    """The rows of the report's tables of Hg per pathway (chapters 4 and 5): a source
    group's or a sub-category's input and releases, as the workbook has them."""
    from tests.test_table_sums import html_tables

    return [
        row
        for table in html_tables(path)
        if {"Air", "Water", "General waste"} <= set(table[0])
        for row in table[1:]
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_report_prints_the_numbers_the_workbook_shows(shown, name):
    """A report line naming a source group, or a code with one result row, prints only
    numbers that LibreOffice shows on that group's line of the Summary sheet or that code's
    line of the Calculation sheet (the exact halves included)."""
    lines: dict[str, set[str]] = {}
    for sheet in ("Summary", "Calculation"):
        seen: dict[str, int] = {}
        for row in lo_sheet(shown, name, sheet):
            if row and row[0]:
                seen[row[0]] = seen.get(row[0], 0) + 1
                lines.setdefault(row[0], set()).update(c for c in row[1:] if c)
        for key, n in seen.items():
            if n > 1:  # a code with facility rows: not one line
                lines.pop(key, None)
    compared, differ = 0, []
    for row in report_rows(shown["dir"] / "out" / f"{name}.html"):
        if not row or row[0] not in lines:
            continue
        for cell in row[1:]:
            text = cell.strip()
            if not re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d", text):
                continue  # a mass with its one decimal
            compared += 1
            if text not in lines[row[0]]:
                differ.append(f"{row[0]}: report {text}, workbook {sorted(lines[row[0]])}")
    assert compared > 100 and not differ, "\n".join(differ[:20])
