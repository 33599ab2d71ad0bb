"""A French or Spanish focal point reads every written output of the examples in their own
language: the inventory workbooks (cells and chart titles), the docx and the HTML report, with
--uncertainty and --crosscheck emep, Level 1 and Level 2.

The check: no English text of the catalog (hginv.pot) of three words or more, and no English
source-group or sub-category name, appears verbatim. The machine contract stays English (README,
Translations): sheet names, the hidden row of machine names, codes and units, and the data of the
factor tables (sources, notes, document titles), which are read from the tables as they are.
"""

import csv
import html
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.tables.factors import factors_dir
from hginventory.write.option_sheets import CROSSCHECK_DETAIL
from tests.conftest import EXAMPLES

LOCALE = Path(__file__).resolve().parents[1] / "src" / "hginventory" / "locale"
EXAMPLE_NAMES = ("valdoria-2021", "valdoria-2021-level2")
FACTOR_DATA = {"factor_id", "status", "confidence", "document", "version", "table_page", "note"}
"""Columns of the Factors sheet that are factor-table data (English by design)."""
ARTICLE8_DATA = {"Note", "Nota"}
EMEP_DATA = {
    i + 1
    for i, (_h, column, _q) in enumerate(CROSSCHECK_DETAIL)
    if column in ("description", "conversion_source", "note")
}
"""Columns of the cross-check's detail table read from the EMEP mapping and Guidebook."""


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def english_phrases(lang: str) -> set[str]:
    """English texts of three words or more a person could read: the literal parts of every
    msgid (between its placeholders), source-group and sub-category names; less those the
    language's own translations keep as they are (a name, a command)."""
    phrases = set()
    for message in _catalog(LOCALE / "hginv.pot"):
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for part in re.split(r"\{[^}]*\}", msgid or ""):
                part = part.strip(" :;,.()'\"`\n")
                if len(part.split()) >= 3:
                    phrases.add(part)
    folder = factors_dir()
    with (folder / "source_groups.csv").open(encoding="utf-8") as fh:
        phrases |= {row["name"] for row in csv.DictReader(fh)}
    with (folder / "toolkit_level1.csv").open(encoding="utf-8") as fh:
        names = (row["sub_category"] for row in csv.DictReader(fh))
        phrases |= {name for name in names if len(name.split()) >= 3}
    translated = " | ".join(
        str(m.string) for m in _catalog(LOCALE / lang / "LC_MESSAGES" / "hginv.po") if m.id
    )
    return {p for p in phrases if p not in translated}


def workbook_texts(path: Path):
    """(where, text) of every text cell and chart title a person reads in a workbook."""
    book = load_workbook(path)
    for ws in book:
        keys = {}
        for row in ws.iter_rows():
            hidden = ws.row_dimensions[row[0].row].hidden
            if hidden:  # the machine names over a table
                keys = {c.column: c.value for c in row}
                continue
            for c in row:
                if not isinstance(c.value, str):
                    continue
                if ws.title == "Factors" and keys.get(c.column) in FACTOR_DATA:
                    continue
                if ws.title == "Cross-check EMEP" and c.column in EMEP_DATA:
                    continue
                yield f"{path.name} {ws.title}!{c.coordinate}", c.value
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/charts/"):
                xml = z.read(name).decode("utf-8")
                for text in re.findall(r"<a:t>([^<]*)</a:t>", xml):
                    yield f"{path.name} {name}", html.unescape(text)


def docx_texts(path: Path):
    import docx

    document = docx.Document(str(path))
    for i, para in enumerate(document.paragraphs):
        yield f"{path.name} paragraph {i}", para.text
    for t, table in enumerate(document.tables):
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                yield f"{path.name} table {t} row {r} cell {c}", cell.text


def html_texts(path: Path):
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    for i, chunk in enumerate(re.split(r"<[^>]+>", page)):
        text = html.unescape(chunk).strip()
        if text:
            yield f"{path.name} text {i}", text
    for title in re.findall(r'(?:title|aria-label|alt)="([^"]*)"', page):
        yield f"{path.name} attribute", html.unescape(title)


READERS = {"xlsx": workbook_texts, "docx": docx_texts, "html": html_texts}


@pytest.fixture(scope="module", params=["fr", "es"])
def outputs(request, tmp_path_factory):
    """Every written output of both examples in one language, with both options."""
    lang = request.param
    d = tmp_path_factory.mktemp(f"outputs-{lang}")
    runner = CliRunner()
    options = ["--uncertainty", "--draws", "200", "--crosscheck", "emep", "--lang", lang, "-q"]
    files = []
    for name in EXAMPLE_NAMES:
        src = str(EXAMPLES / f"{name}.xlsx")
        xlsx = d / f"{name}.xlsx"
        result = runner.invoke(main, ["compute", src, "-o", str(xlsx), *options])
        assert result.exit_code == 0, result.output
        files.append(xlsx)
        for suffix in ("docx", "html"):
            report = d / f"{name}-report.{suffix}"
            result = runner.invoke(main, ["report", src, "-o", str(report), *options])
            assert result.exit_code == 0, result.output
            files.append(report)
    return lang, files


@pytest.mark.parametrize("kind", ["xlsx", "docx", "html"])
def test_no_english_sentence_in_a_french_or_spanish_output(outputs, kind):
    lang, files = outputs
    phrases = english_phrases(lang)
    assert len(phrases) > 500
    found = set()
    for path in (f for f in files if f.suffix == f".{kind}"):
        for where, text in READERS[kind](path):
            if kind == "xlsx" and "Article 8" in where and text in ARTICLE8_DATA:
                continue
            for phrase in phrases:
                if phrase in text:
                    found.add(f"{where}: {phrase!r} in {text[:90]!r}")
    assert not found, f"English in the {lang} {kind} outputs:\n" + "\n".join(sorted(found)[:40])


def test_the_factors_diff_says_what_changed_in_french(tmp_path):
    """`factors diff --lang fr`: the change and its kind are French words."""
    shipped = factors_dir() / "toolkit_level1.csv"
    rows = list(csv.DictReader(shipped.open(encoding="utf-8")))
    next(r for r in rows if r["code"] == "5.3.1")["input_factor"] = "0.2"
    edited = tmp_path / "edited" / "toolkit_level1.csv"
    edited.parent.mkdir()
    with edited.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    edited.with_suffix(".toml").write_bytes(shipped.with_suffix(".toml").read_bytes())
    args = ["factors", "diff", str(factors_dir()), str(edited), "--lang", "fr"]
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, args)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "5.3.1" in x and "input_factor" in x)
    assert "modifiée" in line and "valeur" in line, line
    assert not re.search(r"\b(changed|value)\b", line), line
