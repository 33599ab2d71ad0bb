"""What a focal point hands over, opened by real clients: LibreOffice recalculates the workbook
and renders it, the docx and the HTML report; headless Chromium renders the HTML report.

Skipped only when a program is truly absent (`.ci/run` installs them). Several files go
through one soffice call, with a private profile that recalculates every formula on load.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.core.columns import PATHWAYS
from hginventory.tables.factors import load_factors

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "valdoria-2021.xlsx"
SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_office = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None, reason="LibreOffice or poppler-utils not installed"
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or PDFTOTEXT is None, reason="Chromium or poppler-utils not installed"
)
QUANTITIES = ["hg_input_kg", *(f"{p}_kg" for p in PATHWAYS)]
RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice(files: list[Path], fmt: str, outdir: Path, profile: Path) -> list[Path]:
    """Convert files in one LibreOffice call (always recalculating formulas on load)."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC, encoding="utf-8")
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         fmt, "--outdir", str(outdir), *map(str, files)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    out = [outdir / f"{f.stem}.{fmt}" for f in files]
    assert done.returncode == 0 and all(p.is_file() for p in out), done.stderr
    return out


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def fill_template(path: Path) -> Path:
    """A template filled as a focal point would: units converted, a facility, notation keys."""
    assert CliRunner().invoke(main, ["template", "-o", str(path), "--country", "Côte d'Ivoire",
                                     "--year", "2021"]).exit_code == 0  # fmt: skip
    wb = load_workbook(path)
    country = wb["country"]
    for r in range(2, country.max_row + 1):
        name = country.cell(r, 1).value
        if name in ("population", "electrification_rate"):
            country.cell(r, 2, value=26_378_274 if name == "population" else 72.5)
    ws = wb["activity"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    header = [c.value for c in ws[1]]
    col = {h: header.index(h) + 1 for h in ("activity", "unit")}
    for code, value, unit in [
        ("5.1.1", 2.5, "Mt"),
        ("5.1.2", 1500, "kt"),
        ("5.1.3a", "NO", None),
        ("5.4.5", 26_378_274, None),
        ("5.4.7", 26_378_274, None),
        ("5.8.5", 120, "Mm3"),
        ("5.9.1", 1200, None),
    ]:
        ws.cell(rows[code], col["activity"], value=value)
        if unit:
            ws.cell(rows[code], col["unit"], value=unit)
    facilities = wb["facilities"]
    head = [c.value for c in facilities[1]]
    for name, value in {"code": "5.1.1", "facility": "Azito", "activity": 1.0, "unit": "Mt",
                        "control": "coal-esp"}.items():  # fmt: skip
        facilities.cell(2, head.index(name) + 1, value=value)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Workbooks and reports of the example and of a filled template, via the CLI."""
    d = tmp_path_factory.mktemp("clients")
    runner = CliRunner()
    filled = fill_template(d / "Côte d'Ivoire 2021.xlsx")
    out = {}
    for name, src in (("example", EXAMPLE), ("filled", filled)):
        xlsx = d / f"{name}.xlsx"
        result = runner.invoke(main, ["compute", str(src), "-o", str(xlsx), "-q"])
        assert result.exit_code == 0, result.output
        out[name] = xlsx
    for suffix in ("docx", "html"):
        report = d / f"report.{suffix}"
        result = runner.invoke(main, ["report", str(EXAMPLE), "-o", str(report), "-q"])
        assert result.exit_code == 0, result.output
        out[suffix] = report
    return d, out


def keyed_rows(ws):
    """Rows of a sheet under its hidden row of machine names, as dicts (with the row)."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r and r[0] in ("code", "factor_id"))
    keys = rows[top]
    return [dict(zip(keys, r, strict=False), _label=r[0]) for r in rows[top + 2 :]]


def close(a, b) -> bool:
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def expected_from_csv(csv_path: Path):
    """Per source group and nationally: the Summary's figures computed from the CSV."""
    import pandas as pd

    factors = load_factors()
    table = factors.frame().set_index("code")
    frame = pd.read_csv(csv_path, dtype={"code": str}, keep_default_na=False)
    groups: dict[str, dict[str, float]] = {}
    for _, row in frame.iterrows():
        f = table.loc[row["code"]]
        name = factors.groups[f["source_group"]]["name"]
        g = groups.setdefault(name, dict.fromkeys(["calc", *QUANTITIES], 0.0))
        g["calc"] += float(row["hg_input_kg"])
        if row["status"] == "estimated" and row["method"] == "default":
            continue  # the project's estimate, set aside from every total
        g["hg_input_kg"] += float(row["hg_input_kg"]) * float(f["input_total_weight"])
        excluded = set(str(f["release_total_exclude"]).split(";"))
        for p in PATHWAYS:
            if p not in excluded:
                g[f"{p}_kg"] += float(row[f"{p}_kg"])
    return frame, groups


@pytest.fixture(scope="module")
def recalculated(outputs, tmp_path_factory):
    """The workbooks and an edited copy of the example, recalculated by LibreOffice."""
    d, out = outputs
    edited = d / "example-edited.xlsx"
    wb = load_workbook(out["example"])  # keeps the formulas, drops every cached value
    ws = wb["Calculation"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "5.1.1")
    assert ws.cell(row, 3).value == 6_500_000
    ws.cell(row, 3).value = 1_000_000
    wb.save(edited)
    files = [out["example"], out["filled"], edited]
    converted = soffice(files, "xlsx", d / "recalc", d / "profile")
    return dict(zip(["example", "filled", "edited"], converted, strict=True))


@needs_office
@pytest.mark.parametrize("name", ["example", "filled"])
def test_libreoffice_recalculates_the_csv_numbers(outputs, recalculated, name):
    _, out = outputs
    book = load_workbook(recalculated[name], data_only=True)
    frame, groups = expected_from_csv(out[name].with_suffix(".csv"))
    csv_rows = {(r["code"], r["facility"]): r for _, r in frame.iterrows()}
    data, group_sum, seen = 0, dict.fromkeys(QUANTITIES, 0.0), 0
    for rec in keyed_rows(book["Calculation"]):
        label = str(rec["_label"] or "")
        if rec.get("status"):
            expected = csv_rows[rec["code"], rec.get("facility") or ""]
            for q in QUANTITIES:
                assert close(rec[q], expected[q]), (name, rec["code"], q)
                group_sum[q] += float(expected[q])
            data += 1
        elif label.startswith("Subtotal: "):
            for q in QUANTITIES:
                assert close(rec[q], group_sum[q]), (name, label, q)
            group_sum = dict.fromkeys(QUANTITIES, 0.0)
            seen += 1
    assert data == len(frame) and seen == len(groups)
    summary = {r[0]: r for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    for group, g in groups.items():
        row = summary[group]
        assert close(row[1], g["calc"]), group
        for k, q in enumerate(QUANTITIES):
            assert close(row[2 + k], g[q]), (group, q)
        assert close(row[9], sum(g[f"{p}_kg"] for p in PATHWAYS))
    national = summary["National total"]
    for k, q in enumerate(QUANTITIES):
        assert close(national[2 + k], sum(g[q] for g in groups.values())), q
    rows = summary["Sum of calculated rows (no adjustment)"]
    assert close(rows[2], frame["hg_input_kg"].sum())


@needs_office
def test_changing_an_activity_cell_moves_the_national_total(recalculated):
    before = {r[0]: r for r in load_workbook(recalculated["example"], data_only=True)["Summary"]
              .iter_rows(values_only=True) if r[0]}  # fmt: skip
    after = {r[0]: r for r in load_workbook(recalculated["edited"], data_only=True)["Summary"]
             .iter_rows(values_only=True) if r[0]}  # fmt: skip
    # 5.1.1 coal in large plants: 6.5 Mt -> 1 Mt at 0.15 g/t, all counted, nothing excluded
    moved = (1_000_000 - 6_500_000) * 0.15 / 1000
    assert moved == -825.0
    national_before, national_after = before["National total"], after["National total"]
    assert close(national_after[2] - national_before[2], moved)  # Hg input counted
    assert close(national_after[9] - national_before[9], moved)  # total releases
    assert close(national_after[3] - national_before[3], moved * 0.9)  # air: 90 %


def header_words(xlsx: Path) -> set[str]:
    """Words of the header rows of the workbook (the cells filled as headers)."""
    words = set()
    for ws in load_workbook(xlsx):
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill and c.fill.fgColor else None
                if isinstance(c.value, str) and str(fill).endswith("DDEBF7"):
                    words |= {w.strip("(),") for w in c.value.split() if len(w.strip("(),")) > 3}
    return words


def tokens(text: str) -> set[str]:
    """Whitespace tokens, a word hyphenated at a line end joined again ('Sub-' 'category')."""
    raw = text.split()
    out = set()
    for i, t in enumerate(raw):
        out.add(t.strip("(),"))
        if t.endswith("-") and i + 1 < len(raw):
            out.add((t + raw[i + 1]).strip("(),"))
    return out


def assert_clean(text: str, what: str) -> None:
    assert "###" not in text, what
    assert not re.search(r"\d[.,]?\d*[eE][+-]0", text), (what, re.findall(r"\S*[eE][+-]0\S*", text))


@needs_office
def test_rendered_workbook_and_docx_are_clean(outputs):
    d, out = outputs
    pdfs = soffice([out["example"], out["filled"], out["docx"]], "pdf", d / "pdf", d / "profile")
    for pdf in pdfs:
        assert_clean(pdf_text(pdf), pdf.name)
    text = pdf_text(pdfs[0])
    pages = text.count("\f")
    assert 1 < pages <= 24, pages  # 12 sheets: the submission, key category and check sheets
    words = header_words(out["example"])
    assert len(words) > 30
    missing = words - tokens(text)
    assert not missing, f"header words broken or clipped in the PDF: {sorted(missing)}"
    assert "6,500,000" in text and "18,400,000" in text  # activities, never 6.5e+06
    units_and_codes_are_whole(pdf_text(pdfs[2]), out["example"].with_suffix(".csv"))


def units_and_codes_are_whole(text: str, csv_path: Path) -> None:
    """Every unit and code of the results appears whole in the rendered report: a narrow table
    column breaks `MNm3` into `MNm` and `3`."""
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    wanted = {*frame["activity_unit"], *frame["input_factor_unit"], *frame["code"]} - {""}
    assert "MNm3" in wanted and "5.1.4c" in wanted
    missing = wanted - tokens(text)
    assert not missing, f"units or codes broken across lines in the docx: {sorted(missing)}"


@needs_chromium
def test_chromium_renders_the_html_report(outputs):
    d, out = outputs
    shot = d / "report.png"
    done = chromium(
        "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "--window-size=1280,2400",
        out["html"].as_uri(), profile=d / "chromium",
    )  # fmt: skip
    assert done.returncode == 0 and shot.is_file() and shot.stat().st_size > 20_000, done.stderr
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line.upper()]
    assert not console, console
    pdf = d / "report-html.pdf"
    done = chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", out["html"].as_uri(),
                    profile=d / "chromium")  # fmt: skip
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    text = pdf_text(pdf)
    assert_clean(text, "report.html")
    assert "6,500,000" in text


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_html_report_never_scrolls_sideways(lang, tmp_path):
    """A wide table (the factor annex: six pathway columns and their headers) scrolls in its
    own box; the page itself fits a 1,100-pixel window, in the longer French words too."""
    report = tmp_path / "report.html"
    args = ["report", str(EXAMPLE), "-o", str(report), "-q", "--lang", lang]
    assert CliRunner().invoke(main, args).exit_code == 0
    probe = (
        "<script>var d=document.documentElement;"
        "document.body.setAttribute('data-width',d.scrollWidth+'/'+d.clientWidth);</script>"
    )
    page = tmp_path / "probe.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", probe + "</body>"))
    done = chromium("--window-size=1100,900", "--dump-dom", page.as_uri(), profile=tmp_path / "c")
    assert done.returncode == 0, done.stderr
    scroll, client = re.search(r'data-width="(\d+)/(\d+)"', done.stdout).groups()
    assert int(scroll) <= int(client), (scroll, client)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Workbooks with every sheet (Level 1 in English, Level 2 in French, --uncertainty and
    --crosscheck emep) and the French report, printed to PDF by LibreOffice."""
    d = tmp_path_factory.mktemp("printed")
    runner = CliRunner()
    options = ["--uncertainty", "--draws", "200", "--crosscheck", "emep", "-q"]
    books = {}
    for name, lang in (("valdoria-2021", "en"), ("valdoria-2021-level2", "fr")):
        xlsx = d / f"{name}-{lang}.xlsx"
        args = ["compute", str(EXAMPLE.parent / f"{name}.xlsx"), "-o", str(xlsx), *options]
        result = runner.invoke(main, [*args, "--lang", lang])
        assert result.exit_code == 0, result.output
        books[xlsx] = None
    docx = d / "report-fr.docx"
    result = runner.invoke(main, ["report", str(EXAMPLE), "-o", str(docx), "-q", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    pdfs = soffice([*books, docx], "pdf", d / "pdf", d / "profile")
    return dict(zip([*books, docx], pdfs, strict=True))


def sheet_of(lines: list[str], place: str, names: list[str]) -> str:
    """The sheet a printed page belongs to: the name on the right of its page header (the
    line that starts with the place; a chart cut in two may print above it)."""
    header = next(x.strip() for x in lines if x.strip().startswith(place))
    return max((n for n in names if header.endswith(n)), key=len)


def row_markers(ws) -> set[str]:
    """The start of every text of the visible rows that are not a header row or a title."""
    out = set()
    for row in ws.iter_rows():
        if ws.row_dimensions[row[0].row].hidden:
            continue
        for c in row:
            if isinstance(c.value, str) and c.value.strip() and not c.value.startswith("="):
                fill = str(c.fill.fgColor.rgb) if c.fill and c.fill.fgColor else ""
                if not fill.endswith("DDEBF7") and (c.font.sz or 11) < 14:
                    out.add(" ".join(c.value.split())[:20])
    return out


@needs_office
def test_no_printed_page_of_the_workbook_is_an_orphan(printed):
    """Every printed page holds a table row or a whole chart: the Charts sheet printed a page
    with the repeated header row, a chart title and the tenth bar of a chart cut in two."""
    for xlsx, pdf in printed.items():
        if xlsx.suffix != ".xlsx":
            continue
        book = load_workbook(xlsx)
        markers = {ws.title: row_markers(ws) for ws in book}
        charts = load_workbook(xlsx, data_only=True)["Charts"]  # the values stored
        top = [r for r in charts.iter_rows(min_row=15, max_row=24, values_only=True) if r[1]]
        assert len(top) == 10
        pathway = charts.cell(4, 1).value  # the header of the first table
        place = book["Metadata"].cell(5, 2).value
        pages = pdf_text(pdf).split("\f")[:-1]
        seen = set()
        for number, page in enumerate(pages, start=1):
            lines = [x for x in page.splitlines() if x.strip()]
            sheet = sheet_of(lines, place, book.sheetnames)
            seen.add(sheet)
            body = "\n".join(" ".join(x.split()) for x in lines if not x.strip().startswith(place))
            if sheet == "Charts":  # the tables, or a whole chart without a header over nothing
                table = all(code in body for _, code, _ in top)
                values = [f"{v:,.1f}" for _, _, v in top]
                chart = all(v in body for v in values) and not re.search(f"^{pathway}", body, re.M)
                assert table or chart, f"{pdf.name} page {number}: a part of a chart\n{body}"
            else:
                assert any(m in body for m in markers[sheet]), (
                    f"{pdf.name} page {number} ({sheet}): no row of the sheet\n{body}"
                )
        assert seen == set(book.sheetnames), set(book.sheetnames) - seen


@needs_office
def test_french_report_totals_render_unbroken(printed):
    """LibreOffice wrapped the French national totals inside the number ('4 692,' over '5'):
    every total of the releases table prints whole on one line."""
    from hginventory import compute, read_activity
    from hginventory.core.i18n import language
    from hginventory.core.numbers import mass

    pdf = next(p for x, p in printed.items() if x.suffix == ".docx")
    text = pdf_text(pdf).replace("\u202f", " ").replace("\u00a0", " ")
    totals = compute(read_activity(EXAMPLE)).totals()
    with language("fr"):
        shown = [mass(totals[k]).replace("\u202f", " ") for k in (*QUANTITIES[1:], "releases_kg")]
    line = next(x for x in text.splitlines() if x.strip().startswith("Total national"))
    missing = [s for s in shown if s not in line and s != "0,0"]
    assert len(shown) == 7 and not missing, (missing, line)
