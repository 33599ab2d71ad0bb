"""A trainer adds up every table before signing it: each total and sub-total line of the
workbook, the Word report and the web report equals the sum of the rows printed above it,
at the precision printed, for every example (Level 1 and Level 2, English and French).

The check works on the printed numbers: a total printed to 0.1 is the exact total rounded
once, each row the exact row rounded once, so the total may differ from the sum of the
printed rows by at most half a unit per row plus half a unit for itself,
|total - sum| <= (n + 1) x 0.05. Anything more is a total over other rows than those shown
(an adjustment mixed in, an estimate left out, a row missing). Comparing against the exact
values instead would not test what the reader sees; asking the printed rows to add up to
the printed total exactly would force totals that differ from the same total elsewhere.

A table is cut at each header line (two or more text cells, no number). A sub-total line
(`Sub-total`, `Subtotal: group`, `Sous-total`, `Releases to air, water and land`, `Transfers
to products and waste`) sums the rows since the last sub-total; a
total line (`Total`, `National total`, `Sum of ...`, in each language) sums the sub-totals
and rows since the last total; after a total, that total is the first row of what follows
(so `Sum`, `Adjustment`, `Total quantified` add up as printed). Text cells, blank cells and
columns without a number on the total line are not checked, nor columns that are not sums by
nature: percentiles, relative uncertainties and ratios of a total (their header says so). A
line naming the Hg input in a table of quantities (the executive summary, the uncertainty
tables) is no row of the outputs' total below it. The label of a line is the text cell next
to its first number (the uncertainty sheet names the source group before the quantity).
"""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["valdoria-2015", "valdoria-2018", "valdoria-2021", "valdoria-2021-level2"]
RUNS = [
    *((name, "en", ()) for name in EXAMPLES),
    ("valdoria-2021", "en", ("--crosscheck", "emep", "--uncertainty", "--draws", "500")),
    ("valdoria-2021", "fr", ()),
    ("valdoria-2021-level2", "fr", ()),
    ("valdoria-2021", "es", ("--include-estimates",)),
]
IDS = [f"{n}-{lang}{'-options' if opts else ''}" for n, lang, opts in RUNS]

SUB_TOTAL = re.compile(
    r"^\s*(sub-?total|sous-total|"  # and the two named sub-totals of the releases and transfers
    r"releases to air, water and land|rejets dans l'air, l'eau et le sol|"
    r"liberaciones al aire, al agua y al suelo|transfers to products and waste|"
    r"transferts vers les produits et les déchets|transferencias a productos y desechos)",
    re.IGNORECASE,
)
TOTAL = re.compile(r"^\s*(national total|total|sum of|somme|suma)\b", re.IGNORECASE)
NOT_SUMMED = re.compile(
    r"percentil|centile|\bU\b.*%|median|médiane|ratio|rapport|razón|"
    r"approach 1 (low|high)|approche 1 (bas|haut)|método 1 (bajo|alto)",
    re.IGNORECASE,
)
INPUT = re.compile(r"^\s*(hg input|apport de hg|entrada de hg)\b", re.IGNORECASE)
MARKS = {"en": (",", "."), "fr": (" ", ","), "es": (".", ",")}


def parse_number(text: str, lang: str) -> tuple[float, int] | None:
    """A printed number (`26,453.3`, `26 453,3`, `26.453,3`, `-7 200,4`, `12.5 %`) as (value,
    decimals); None for anything else (a code such as 5.1.1, a word)."""
    group, point = MARKS[lang]
    text = text.strip().replace("\u2212", "-")
    text = re.sub(r"\s*%$", "", text)
    if lang == "fr":
        text = re.sub(r"[\u202f\u00a0 ]", " ", text)
    g, p = re.escape(group), re.escape(point)
    match = re.fullmatch(rf"([-+]?)(\d{{1,3}}(?:{g}\d{{3}})*|\d+)(?:{p}(\d+))?", text)
    if not match:
        return None
    sign, whole, decimals = match.groups()
    value = float(whole.replace(group, "") + ("." + decimals if decimals else ""))
    return (-value if sign == "-" else value), len(decimals or "")


def check_rows(rows: list[list], where: str) -> list[str]:
    """Every total line of one table against the rows above it. `rows` hold, per cell, a
    (value, decimals) pair for a number or the text (None when blank)."""
    failures: list[str] = []
    block: list[dict] = []
    subs: list[dict] = []
    carried: dict | None = None  # the last total, for a reconciliation under it
    skip: set[int] = set()
    for row in rows:
        numbers = {i: c for i, c in enumerate(row) if isinstance(c, tuple) and i not in skip}
        texts = [c for c in row if isinstance(c, str) and c.strip()]
        if not numbers and not any(isinstance(c, tuple) for c in row):
            if len(texts) >= 2:  # a header line: a new table
                block, subs, carried = [], [], None
                skip = {i for i, c in enumerate(row) if isinstance(c, str) and NOT_SUMMED.search(c)}
            continue
        first = min(numbers) if numbers else len(row)
        before = [c for c in row[:first] if isinstance(c, str) and c.strip()]
        label = (before or texts or [""])[-1]  # the cell next to the numbers names the line
        if INPUT.match(label):  # a quantity table's input line: no total of outputs sums it
            continue
        if SUB_TOTAL.match(label):
            failures += _compare(numbers, block, label, where)
            subs.append(numbers)
            block = []
        elif TOTAL.match(label):
            failures += _compare(numbers, subs + block, label, where, carried)
            carried, block, subs = numbers, [], []
        else:
            block.append(numbers)
    return failures


def _compare(total: dict, above: list[dict], label: str, where: str, carried=None) -> list:
    """The total against the rows above it, or (a `Sum`, `Adjustment`, `Total` reconciliation)
    against the previous total and the rows since."""
    out = []
    for col, (value, places) in total.items():
        values = [r[col][0] for r in above if col in r]
        if not values:
            continue
        unit = 10.0**-places
        if abs(value - sum(values)) <= (len(values) + 1) * unit / 2 + 1e-9:
            continue
        if carried and col in carried:
            chained = [carried[col][0], *values]
            if abs(value - sum(chained)) <= (len(chained) + 1) * unit / 2 + 1e-9:
                continue
        out.append(
                f"{where}: {label!r} column {col + 1} reads {value:.{places}f}, the "
                f"{len(values)} rows above it sum to {sum(values):.{places}f}"
            )
    return out


@pytest.fixture(scope="module", params=RUNS, ids=IDS)
def run(request, tmp_path_factory):
    """One example computed (workbook) and reported (docx and html) in one language."""
    name, lang, options = request.param
    out = tmp_path_factory.mktemp(f"sums-{name}-{lang}")
    src = out / f"{name}.xlsx"
    shutil.copy(ROOT / "examples" / f"{name}.xlsx", src)
    computed = CliRunner().invoke(
        main, ["compute", str(src), "-o", str(out / "inventory.xlsx"), "--lang", lang, "-q",
               *options],
    )  # fmt: skip
    assert computed.exit_code == 0, computed.output
    reported = CliRunner().invoke(
        main, ["report", str(src), "-o", str(out / "report.docx"), "-o",
               str(out / "report.html"), "--lang", lang, "-q", *options],
    )  # fmt: skip
    assert reported.exit_code == 0, reported.output
    return {"dir": out, "lang": lang, "name": name}


def workbook_tables(path: Path) -> dict[str, list[list]]:
    """Each sheet's cells as the checker reads them: numbers with the decimals of their
    number format (a per cent format shows the value x 100), from the values cached in
    the file."""
    book = load_workbook(path, data_only=True)
    sheets = {}
    for ws in book.worksheets:
        rows = []
        for line in ws.iter_rows():
            cells = []
            for c in line:
                v = c.value
                if isinstance(v, bool) or v is None:
                    cells.append(None)
                elif isinstance(v, (int, float)):
                    fmt = c.number_format or ""
                    found = re.search(r"0\.(0+)", fmt)
                    places = len(found.group(1)) if found else (0 if "0" in fmt else 9)
                    cells.append((v * 100 if "%" in fmt else v, places))
                else:
                    cells.append(str(v))
            rows.append(cells)
        sheets[ws.title] = rows
    return sheets


class _Tables(HTMLParser):
    """The tables of an html page, as rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.tables:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(path: Path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def docx_tables(path: Path) -> list[list[list[str]]]:
    import docx

    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(path).tables]


def printed(table: list[list[str]], lang: str) -> list[list]:
    return [[parse_number(c, lang) or c for c in row] for row in table]


def test_every_workbook_total_is_the_sum_of_the_rows_above_it(run):
    sheets = workbook_tables(run["dir"] / "inventory.xlsx")
    failures = [f for title, rows in sheets.items() for f in check_rows(rows, title)]
    assert not failures, "\n".join(failures)


def test_every_docx_total_is_the_sum_of_the_rows_above_it(run):
    tables = docx_tables(run["dir"] / "report.docx")
    assert tables
    failures = [
        f
        for i, t in enumerate(tables, start=1)
        for f in check_rows(printed(t, run["lang"]), f"docx table {i} ({t[0][0]!r}...)")
    ]
    assert not failures, "\n".join(failures)


def test_every_html_total_is_the_sum_of_the_rows_above_it(run):
    tables = html_tables(run["dir"] / "report.html")
    assert tables
    failures = [
        f
        for i, t in enumerate(tables, start=1)
        for f in check_rows(printed(t, run["lang"]), f"html table {i} ({t[0][0]!r}...)")
    ]
    assert not failures, "\n".join(failures)


def test_the_checker_catches_a_total_that_mixes_in_an_adjustment():
    """The chapter 3 table as it was: rows summing to 26,453.3 under a line 'Sum of
    calculated values 33,199.5', so the check is not vacuous."""
    rows = [
        ["Source group", "Calculated", "Counted"],
        ["Fuels", "1,344.9", "1,280.7"],
        ["Waste", "31,854.6", "25,172.6"],
        ["Sum of calculated values", "33,199.5", "33,199.5"],
        ["Adjustment for double counting", "0.0", "-6,746.2"],
        ["Total quantified", "33,199.5", "26,453.3"],
    ]
    failures = check_rows(printed(rows, "en"), "chapter 3")
    assert len(failures) == 1 and "'Sum of calculated values' column 3" in failures[0]


def test_the_checker_reads_french_and_spanish_numbers():
    assert parse_number("26\u202f453,3", "fr") == (26453.3, 1)
    assert parse_number("-7 200,4", "fr") == (-7200.4, 1)
    assert parse_number("26.453,3", "es") == (26453.3, 1)
    assert parse_number("12.5 %", "en") == (12.5, 1)
    assert parse_number("5.1.1", "en") is None and parse_number("5.1.1", "es") is None
