"""The focal point's story: `hginv report` turns the activity workbook into a draft national
report, in Word and as a web page, that carries the computed numbers and can be sent as is."""

import hashlib
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory import compute, read_activity
from hginventory.cli import main
from hginventory.core.columns import PATHWAYS
from hginventory.write.blocks import Para, Table
from hginventory.write.report.contents import build_document

NASTY_NOTE = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script> & <b>'
NASTY_COUNTRY = "Valdoria <i>&</i> Isles"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The example workbook with a note and a country name a browser must not interpret,
    reported once to .docx and .html through the command line."""
    folder = tmp_path_factory.mktemp("report")
    src = folder / "valdoria 2021.xlsx"
    wb = load_workbook(Path(__file__).resolve().parents[1] / "examples" / "valdoria-2021.xlsx")
    country = wb["country"]
    for row in country.iter_rows():
        if row[0].value == "country":
            row[1].value = NASTY_COUNTRY
    activity = wb["activity"]
    for row in activity.iter_rows(min_row=2):
        if row[0].value == "5.1.2":
            row[3].value = NASTY_NOTE
            row[3].data_type = "s"  # typed as text, as a focal point pasting it would get
    wb.save(src)
    before = sha(src)
    docx_path, html_path = folder / "report.docx", folder / "report.html"
    result = CliRunner().invoke(
        main, ["report", str(src), "-o", str(docx_path), "-o", str(html_path)]
    )
    inv = compute(read_activity(src))
    return {
        "src": src,
        "before": before,
        "result": result,
        "docx": docx_path,
        "html": html_path,
        "inv": inv,
    }


def hand_totals(inv) -> dict:
    """National totals redone from the result rows: waste inputs weighted, excluded
    pathways left out (the Toolkit's double-counting rules)."""
    r = inv.results
    out = {"input": float((r["hg_input_kg"] * r["input_total_weight"]).sum())}
    for p in PATHWAYS:
        kept = r[~r["release_total_exclude"].str.split(";").apply(lambda xs, p=p: p in xs)]
        out[p] = float(kept[f"{p}_kg"].sum())
    out["releases"] = sum(out[p] for p in PATHWAYS)
    return out


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


def test_report_command_writes_both_files_and_leaves_input_alone(story):
    result = story["result"]
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "recalled" in result.output
    assert story["docx"].stat().st_size > 10_000 and story["html"].stat().st_size > 10_000
    assert sha(story["src"]) == story["before"]


# --- Word ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx(story):
    from docx import Document

    return Document(str(story["docx"]))


def docx_tables(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_docx_has_the_template_chapters_as_real_headings(docx, story):
    h1 = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert h1[:4] == [
        "1 Executive summary",
        "2 Mercury release source types present",
        "3 Summary of mercury inputs to society",
        "4 Summary of mercury releases",
    ]
    groups = story["inv"].factors.groups
    chapters = [h for h in h1 if re.match(r"\d+ Data and inventory on ", h)]
    assert len(chapters) == len(groups)
    assert "6 Data and inventory on primary (virgin) metal production" in chapters
    assert h1[-4:] == [
        "Annex A Factor table used",
        "Annex B Documents cited",
        "Annex C Run metadata",
        "Annex D For the national report (Article 21): Articles 8 and 9, Annex C",
    ]
    h2 = [p.text for p in docx.paragraphs if p.style.name == "Heading 2"]
    assert {"5.1 Activity data", "5.2 Factors used", "5.3 Results", "5.4 Data gaps"} <= set(h2)
    assert "4.1 Uncertainty of the estimates" in h2
    title = [p.text for p in docx.paragraphs if p.style.name == "Title"]
    assert title == [f"National inventory of mercury releases in {NASTY_COUNTRY}"]


def test_docx_main_results_carry_the_national_totals(docx, story):
    t = hand_totals(story["inv"])
    main_table = next(
        tab
        for tab in docx_tables(docx)
        if tab[0] == ["Quantity", "kg Hg/y", "Share of all outputs"]
    )
    values = {row[0]: row[1] for row in main_table[1:]}
    assert number(values["Hg input (counted)"]) == pytest.approx(t["input"], abs=0.05)
    assert number(values["Air"]) == pytest.approx(t["air"], abs=0.05)
    assert number(values["Water"]) == pytest.approx(t["water"], abs=0.05)
    assert number(values["Releases to air, water and land"]) == pytest.approx(
        t["air"] + t["water"] + t["land"], abs=0.05
    )
    total = values["Total outputs (releases and transfers)"]
    assert number(total) == pytest.approx(t["releases"], abs=0.05)
    # the adjustment for double counting is visible: waste water release to water is not counted
    assert t["water"] < story["inv"].results["water_kg"].sum()


def test_docx_lists_every_source_type_and_every_quantified_result(docx, story):
    inv = story["inv"]
    tables = docx_tables(docx)
    present = next(
        tab for tab in tables if tab[0][:4] == ["Code", "Sub-category", "Source group", "Status"]
    )
    assert [row[0] for row in present[1:]] == list(inv.sources["code"])
    # ASGM and chlor-alkali alternatives (mercury used known) were left blank because their
    # default rows were quantified: reported as alternatives not used, not as data gaps
    alternatives = {"5.2.2d", "5.2.2e", "5.2.2f", "5.4.1b"}
    expected = [
        "alternative not used" if code in alternatives else presence
        for code, presence in zip(inv.sources["code"], inv.sources["presence"], strict=True)
    ]
    assert [row[3] for row in present[1:]] == expected
    assert "not reported" not in expected
    results = {}
    for tab in tables:
        if tab[0][:3] == ["Code", "Sub-category", "Hg input"]:
            results.update({row[0]: row for row in tab[1:] if row[0]})
    assert set(results) == set(inv.results["code"])
    gold = inv.results.set_index("code").loc["5.2.2a"]
    # hand check: 1,800 kg gold x 3 kg Hg per kg gold (recalled whole-ore factor) = 5,400 kg
    assert number(results["5.2.2a"][2]) == pytest.approx(gold["activity"] * gold["input_factor"])
    assert number(results["5.2.2a"][2]) == 5400.0


def test_docx_caution_on_recalled_factors_comes_first(docx, story):
    texts = [(p.style.name, p.text) for p in docx.paragraphs]
    first_heading = next(i for i, (s, _) in enumerate(texts) if s == "Heading 1")
    n = len(story["inv"].results)
    cautions = [i for i, (_, t) in enumerate(texts) if t.startswith("CAUTION")]
    assert cautions and cautions[0] < first_heading
    recalled = story["inv"].recalled_count
    assert f"{recalled} of the {n} factors used are 'recalled'" in texts[cautions[0]][1]
    annex = next(
        tab for tab in docx_tables(docx) if tab[0][-2:] == ["Status", "Source"] and len(tab[0]) > 6
    )
    assert len(annex) - 1 == len(story["inv"].factors)
    assert all(row[-2].startswith(("recalled", "confirmed", "estimated")) for row in annex[1:])
    assert any("split estimated" in row[-2] for row in annex[1:])


def test_docx_keeps_input_text_as_plain_text(docx):
    cells = [c for tab in docx_tables(docx) for row in tab for c in row]
    assert NASTY_NOTE in cells


# --- HTML ----------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a browser would see: headings, tables, and every tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.headings, self.tables = [], [], []
        self._heading = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2"):
            self._heading = [tag, ""]
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("h1", "h2") and self._heading:
            self.headings.append(tuple(self._heading))
            self._heading = None
        elif tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def page(story):
    parser = Page()
    parser.feed(story["html"].read_text(encoding="utf-8"))
    return parser


def test_html_has_the_chapters_and_the_totals(page, story):
    h1 = [t for tag, t in page.headings if tag == "h1"]
    assert h1[0] == f"National inventory of mercury releases in {NASTY_COUNTRY}"
    assert "1 Executive summary" in h1 and "4 Summary of mercury releases" in h1
    assert "Annex A Factor table used" in h1
    t = hand_totals(story["inv"])
    main_table = next(
        tab for tab in page.tables if tab[0] == ["Quantity", "kg Hg/y", "Share of all outputs"]
    )
    values = {row[0]: row[1] for row in main_table[1:]}
    total = values["Total outputs (releases and transfers)"]
    assert number(total) == pytest.approx(t["releases"], abs=0.05)
    assert number(values["Land"]) == pytest.approx(t["land"], abs=0.05)
    # the contents list links to every chapter on the page
    anchors = {a["id"] for _, a in page.tags if "id" in a}
    links = [a["href"] for tag, a in page.tags if tag == "a"]
    assert links and all(h.startswith("#") and h[1:] in anchors for h in links)


def test_html_is_self_contained(page, story):
    tags = {tag for tag, _ in page.tags}
    assert (
        "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    )
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "data", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "file:")), (tag, name, value)
    text = story["html"].read_text(encoding="utf-8")
    assert "@import" not in text
    assert not re.search(r"url\((?!#)", text)  # only references inside the page (SVG clips)
    assert sum(1 for tag, _ in page.tags if tag == "svg") == 3


def test_html_escapes_input_text(page, story):
    text = story["html"].read_text(encoding="utf-8")
    assert "<script>" not in text and "<i>&</i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    cells = [c for tab in page.tables for row in tab for c in row]
    assert NASTY_NOTE in cells


# --- edges ---------------------------------------------------------------------------------


def test_uncertainty_renders_when_computed_and_is_announced_missing_otherwise(story):
    import pandas as pd

    inv = story["inv"]
    blocks = build_document(inv)
    assert any(isinstance(b, Para) and "were not computed" in b.text for b in blocks)
    inv.uncertainty = pd.DataFrame(
        {"quantity": ["Total releases"], "low_kg": [12_000.0], "high_kg": [61_000.0]}
    )
    try:
        blocks = build_document(inv)
    finally:
        del inv.uncertainty
    table = next(b for b in blocks if isinstance(b, Table) and b.caption.startswith("Uncertainty"))
    assert table.headers == ["quantity", "low_kg", "high_kg"]
    assert table.rows == [["Total releases", "12,000.0", "61,000.0"]]


def test_result_files_are_refused_with_a_pointer_to_the_activity_workbook(tmp_path, example_path):
    runner = CliRunner()
    out = tmp_path / "inv.xlsx"
    assert runner.invoke(main, ["compute", str(example_path), "-o", str(out), "-q"]).exit_code == 0
    result = runner.invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert "result workbook" in result.output and "valdoria-2021.xlsx" in result.output
    result = runner.invoke(main, ["report", str(out.with_suffix(".csv")), "-o", "r.html"])
    assert result.exit_code == 1 and "not a result CSV" in result.output
    assert not (tmp_path / "r.html").exists()


def test_unknown_report_format_is_refused_before_anything_is_written(tmp_path, example_path):
    good, bad = tmp_path / "r.html", tmp_path / "r.pdf"
    result = CliRunner().invoke(
        main, ["report", str(example_path), "-o", str(good), "-o", str(bad)]
    )
    assert result.exit_code == 1
    assert "name the report .docx (Word) or .html" in result.output
    assert "Traceback" not in result.output
    assert not good.exists() and not bad.exists()


def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.skipif(_browser() is None, reason="no Chromium/Chrome installed")
def test_html_renders_in_a_headless_browser(story, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            _browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            f"--screenshot={shot}",
            story["html"].as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = Image.open(shot).convert("RGB")
    colours = {image.getpixel((x, y)) for x in range(0, 1200, 3) for y in range(0, 2400, 3)}
    # the recalled-factor caution box (#ffc7ce) is painted near the top of the page
    assert any(abs(r - 255) + abs(g - 199) + abs(b - 206) < 12 for r, g, b in colours)
    assert len(colours) > 50


def test_docx_columns_are_never_narrower_than_their_longest_word():
    """Word and LibreOffice break a word that does not fit its column ('quantifi-ed', 'MNm' over
    '3'): measured in DejaVu Serif Bold, the wide font LibreOffice falls back to."""
    from matplotlib import get_data_path
    from PIL import ImageFont

    from hginventory.write.report.docx import _column_widths

    long_text = "a sub-category name that goes on and on " * 3
    block = Table(
        "t",
        ["Rank", "Code", "Sub-category", "Unit", "Status", "Notes"],
        [["1", "5.2.2a", long_text, "MNm3", "alternative not used", long_text]] * 5,
        small=True,
    )
    usable = 17.0
    widths = _column_widths(block, usable)
    font = ImageFont.truetype(f"{get_data_path()}/fonts/ttf/DejaVuSerif-Bold.ttf", 750)
    margins = 2 * 0.19  # Table Grid's left and right cell margins, cm
    for head, width, word in zip(
        block.headers,
        widths,
        ["Rank", "5.2.2a", "sub-category", "MNm3", "alternative", "sub-category"],
        strict=True,
    ):
        measured = font.getlength(word) / 100 / 28.35  # 7.5 pt, in cm
        assert width >= measured + margins, (head, width, measured)
    assert sum(widths) == pytest.approx(usable)


def test_docx_numbers_are_never_narrower_than_their_column():
    """A French national total `31 134,5` in bold is one word: its column holds it whole, and
    its cell never wraps (LibreOffice broke it into `31 134` and `,5`)."""
    from matplotlib import get_data_path
    from PIL import ImageFont

    from hginventory.write.report.docx import _column_widths

    total = "31\u202f134,5"
    block = Table(
        "t",
        ["Source group", "Air", "Water", "Land", "By-products", "Waste", "Sector", "Total"],
        [["a long source group name " * 3] + ["8\u202f818,7"] * 6 + ["1\u202f018,0"]] * 10
        + [["National total"] + ["8\u202f818,7"] * 6 + [total]],
        numeric=set(range(1, 8)),
        total_rows=1,
        small=True,
    )
    widths = _column_widths(block, 17.0)
    font = ImageFont.truetype(f"{get_data_path()}/fonts/ttf/DejaVuSerif-Bold.ttf", 750)
    measured = font.getlength(total) / 100 / 28.35
    assert widths[-1] >= measured + 2 * 0.19, (widths[-1], measured)


def test_report_counts_and_seed_print_as_people_write_them(tmp_path, make_workbook):
    """`9,800,000` inhabitants beside 12.5 kg (not `9,800,000.0`); the seed `20211013` in
    Annex C (not `20,211,013`); number cells of the docx never wrap."""
    from docx import Document

    src = make_workbook([("5.4.5", 9_800_000, "inhabitants"), ("5.4.10", 12.5, "kg")])
    out = tmp_path / "r.docx"
    args = ["report", str(src), "-o", str(out), "-q", "--uncertainty", "--draws", "50"]
    assert CliRunner().invoke(main, args).exit_code == 0
    doc = Document(str(out))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "9,800,000" in cells and "12.5" in cells
    assert not any(c.startswith("9,800,000.") for c in cells)
    assert cells[cells.index("uncertainty_seed") + 1] == "20211013"
    assert "seed 20211013" in "\n".join(p.text for p in doc.paragraphs)
    body = doc.element.body.xml
    assert body.count("<w:noWrap/>") > 50


def test_chart_labels_are_whole_or_end_with_an_ellipsis(example_path):
    """The ten largest sub-categories: `5.2.2b Gold extraction ... concentrate amalgamation
    without retort` keeps its last words; a label too long for three lines says it is cut."""
    from hginventory.write.report.charts import _wrap, chart_svg

    svg = chart_svg(compute(read_activity(example_path)), "top")
    assert "without retort" in svg
    label = _wrap("5.3.9 " + "a long name of a sub-category " * 6)
    assert label.count("\n") == 2 and label.endswith("\u2026")


def test_french_numbers_never_break_in_the_html_and_docx(tmp_path, example_path):
    """French groups digits with a narrow no-break space (`26 453,3`): never a plain space a
    browser or LibreOffice could break a number at; number cells do not wrap."""
    from docx import Document

    html_path, docx_path = tmp_path / "r.html", tmp_path / "r.docx"
    args = ["report", str(example_path), "-o", str(html_path), "-o", str(docx_path), "-q"]
    assert CliRunner().invoke(main, [*args, "--lang", "fr"]).exit_code == 0
    page = html_path.read_text(encoding="utf-8")
    assert "td.n{white-space:nowrap}" in page
    cells = re.findall(r"<td class=n>([^<]*)</td>", page)
    assert len(cells) > 200 and any("\u202f" in c for c in cells)
    assert not [c for c in cells if re.search(r"\d \d", c)]
    doc = Document(str(docx_path))
    numbers = [c.text for t in doc.tables for row in t.rows for c in row.cells
               if re.fullmatch(r"[\d\u202f]+,\d", c.text)]  # fmt: skip
    assert len(numbers) > 100 and not [n for n in numbers if " " in n]
