"""French and Spanish: catalogs complete and compiled, a French (Spanish) focal point's whole
path through template, validate and compute, and machine outputs the same in every language."""

from __future__ import annotations

import csv
import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner
from openpyxl import load_workbook

from hginventory.cli import main
from hginventory.core.i18n import LOCALE_DIR, language, language_from_env, normalise
from hginventory.core.numbers import format_number, plain

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "hginventory"
EXAMPLE = ROOT / "examples" / "valdoria-2021.xlsx"
TRANSLATED = ("fr", "es")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _source_messages() -> set[str]:
    """Every message the code marks with _() or N_(), as `pybabel extract` finds them."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(str(SRC), method_map=[("**.py", "python")], keywords=keywords)
    return {message for _file, _line, message, _comments, _context in found}


def _catalog(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "hginv.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    return _source_messages()


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang, source_messages):
    catalog = _catalog(lang)
    missing, fuzzy, placeholders = [], [], []
    for msgid in sorted(source_messages):
        entry = catalog.get(msgid)
        if entry is None or not entry.string:
            missing.append(msgid)
        elif entry.fuzzy:
            fuzzy.append(msgid)
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(entry.string)):
            placeholders.append(f"{msgid!r} -> {entry.string!r}")
    assert not missing, f"{lang}: no translation (run the commands of README 'Translations')"
    assert not fuzzy, f"{lang}: fuzzy translations to review: {fuzzy}"
    assert not placeholders, f"{lang}: placeholders differ: {placeholders}"


def test_the_template_catalog_is_up_to_date(source_messages):
    """hginv.pot, which translators start from, holds exactly the messages of the code."""
    with open(LOCALE_DIR / "hginv.pot", "rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    assert pot == source_messages, "run pybabel extract (README, 'Translations')"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_shipped_compiled_catalog_is_the_po_file(lang):
    """The .mo shipped beside each .po says the same (pybabel compile after every edit)."""
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "hginv.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        m.id for m in _catalog(lang) if m.id and not m.fuzzy and compiled.gettext(m.id) != m.string
    ]
    assert not stale, f"{lang}: hginv.mo is older than hginv.po: run pybabel compile"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_sub_categories_and_source_groups_have_marked_translations(lang, factors):
    from hginventory.tables.translations import (
        TRANSLATION_STATUS,
        group_translations,
        sub_category_translations,
    )

    own = sub_category_translations(lang)
    assert set(own) == set(factors.codes)
    for code, row in own.items():
        assert row["sub_category"].strip() and row["activity_description"].strip(), code
        assert row["status"] in TRANSLATION_STATUS, code
    groups = group_translations(lang)
    assert set(groups) == set(factors.groups)
    assert all(g["name"].strip() and g["status"] in TRANSLATION_STATUS for g in groups.values())


def test_language_comes_from_the_environment_as_gettext_reads_it():
    assert language_from_env({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert language_from_env({"LANG": "fr_FR.UTF-8", "LC_ALL": "es_MX.UTF-8"}) == "es"
    assert language_from_env({"LC_MESSAGES": "es_ES", "LANG": "fr_CA"}) == "es"
    assert language_from_env({"LANG": "de_DE.UTF-8"}) == "en"
    assert language_from_env({"LANG": "C.UTF-8"}) == "en"
    assert language_from_env({}) == "en"
    assert normalise("FR") == "fr" and normalise("es-419") == "es" and normalise("pt") is None


def test_numbers_are_written_the_way_each_language_writes_them():
    assert format_number(26453.34, locale="en") == "26,453.3"
    assert format_number(26453.34, locale="fr") == "26\u202f453,3"  # narrow no-break space
    assert format_number(26453.34, locale="es") == "26.453,3"
    assert format_number(1234.5, locale="es") == "1.234,5"  # grouped from four digits
    assert format_number(-0.5, places=2, locale="fr") == "-0,50"
    assert format_number(-1234.5, sign=True, locale="fr") == "-1\u202f234,5"
    assert format_number(0.04, sign=True, locale="es") == "+0,0"  # never "-0,0"
    assert plain(1234.5, "fr") == "1234,5" and plain(0.00001, "en") == "0.00001"


def test_a_number_is_rounded_alike_in_every_language():
    """The policy decides the digits, the locale only the marks: 0.35 and 2.675 (binary
    0.3499... and 2.67499...) round the same in French as in English."""
    for value, places in ((0.35, 1), (2.675, 2), (1_211.45, 1)):
        english = format_number(value, places=places, locale="en")
        for lang in ("fr", "es"):
            shown = format_number(value, places=places, locale=lang)
            assert re.sub(r"\D", "", shown) == re.sub(r"\D", "", english), (value, lang)


def test_help_is_translated_and_stays_light():
    runner = CliRunner()
    french = runner.invoke(main, ["compute", "--lang", "fr", "--help"])
    assert french.exit_code == 0
    assert "Calculer l'inventaire" in french.output
    assert "Afficher ce message et quitter." in french.output
    spanish = runner.invoke(main, ["--help"], env={"LANG": "es_ES.UTF-8"})
    assert "Mostrar este mensaje y salir." in spanish.output and "Comandos:" in spanish.output
    # --help reads a compiled catalog with the standard library: Babel and pandas stay unloaded
    code = (
        "import sys\nfrom hginventory.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'babel' in sys.modules, 'pandas' in sys.modules)"
    )
    env = {"LANG": "fr_FR.UTF-8", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "Afficher ce message" in out.stdout and "LOADED False False" in out.stdout


def _fill(template: Path, out: Path, typed: dict) -> Path:
    """A focal point's filled template: country data and some activity cells, numbers typed
    as text with the decimal comma and thousands spaces of French or Spanish habits."""
    wb = load_workbook(template)
    country = wb["country"]
    rows = {c.value: c.row for c in country["A"]}
    for field, value in typed["country"].items():
        country.cell(row=rows[field], column=2, value=value)
    activity = {row[0].value: row for row in wb["activity"].iter_rows(min_row=2) if row[0].value}
    for code, value in typed["activity"].items():
        activity[code][3].value = value
    wb.save(out)
    return out


TYPED = {
    "country": {
        "country": "Côte d'Ivoire",
        "year": 2021,
        "population": "26 378 274",
        "electrification_rate": "72,5",
    },
    "activity": {"5.1.1": "1 500,5", "5.3.1": 9_200_000, "5.4.7": "26 378 274", "5.7.5": "NE"},
}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            ("avertissement", "lu avec ',' comme séparateur décimal", "1500,5", "Rejets totaux"),
        ),
        ("es", ("advertencia", "leído con ',' como separador decimal", "1500,5", "Liberaciones")),
    ],
)
def test_a_focal_point_works_in_their_language_and_computes_what_english_computes(
    lang, words, tmp_path
):
    runner = CliRunner()
    numbers = {}
    for used in (lang, "en"):
        folder = tmp_path / used
        folder.mkdir()
        template = folder / "modèle.xlsx"
        made = runner.invoke(main, ["template", "--lang", used, "-o", str(template)])
        assert made.exit_code == 0, made.output
        wb = load_workbook(template)
        # the machine contract is the same in every language
        assert wb.sheetnames == ["instructions", "country", "activity", "facilities"]
        assert [c.value for c in wb["activity"][1]][:5] == [
            "code",
            "sub_category",
            "description",
            "activity",
            "unit",
        ]
        filled = _fill(template, folder / "Côte d'Ivoire 2021.xlsx", TYPED)
        checked = runner.invoke(main, ["validate", str(filled)])  # language from the workbook
        assert checked.exit_code == 0, checked.output
        out = folder / "inv.xlsx"
        done = runner.invoke(main, ["compute", str(filled), "-o", str(out)])
        assert done.exit_code == 0, done.output
        numbers[used] = out.with_suffix(".csv").read_bytes()
        if used == lang:
            assert wb["country"]["B7"].value == lang  # the template's language, stored
            instructions = wb["instructions"]["A1"].value
            assert instructions != "How to fill in this workbook"
            assert "hginv" in (wb["activity"]["A1"].comment.author or "")
            for word in words[:3]:
                assert word in checked.output
            assert words[3] in done.output
            total = re.search(
                r"(\d[\d\u202f.,]*)\s*\S*\s*$", done.output.split(words[3])[1].split("\n")[0]
            )
            assert total and ("," in total.group(1)), done.output  # decimal comma in the totals
        else:
            assert "warning" in checked.output and "Total releases" in done.output
    assert numbers[lang] == numbers["en"]
    rows = list(csv.DictReader(numbers["en"].decode("utf-8").splitlines()))
    assert {r["code"]: float(r["activity"]) for r in rows}["5.1.1"] == 1500.5


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_example_computes_the_same_csv_in_every_language(lang, tmp_path):
    runner = CliRunner()
    outputs = {}
    for used in ("en", lang):
        out = tmp_path / used / "inv.xlsx"
        out.parent.mkdir()
        result = runner.invoke(main, ["compute", str(EXAMPLE), "-o", str(out), "--lang", used])
        assert result.exit_code == 0, result.output
        outputs[used] = out.with_suffix(".csv").read_bytes()
    assert outputs[lang] == outputs["en"]
    golden = ROOT / "tests" / "golden" / "valdoria-2021.csv"
    if golden.is_file():
        assert outputs[lang] == golden.read_bytes()


def test_validate_json_keeps_english_keys_and_translates_messages(make_workbook):
    path = make_workbook([("5.1.1", -3, "t"), ("9.9.9", 1, "t")])
    result = CliRunner().invoke(main, ["validate", "--json", "--lang", "es", str(path)])
    assert result.exit_code == 1
    import json

    report = json.loads(result.output)
    assert set(report) == {"file", "ok", "errors", "warnings", "problems"}
    messages = [p["message"] for p in report["problems"]]
    assert "la actividad de 5.1.1 es negativa" in messages
    assert any(m.startswith("código de subcategoría desconocido") for m in messages)
    assert {p["severity"] for p in report["problems"]} == {"error"}  # values stay machine words


def test_a_batch_reports_in_its_language_and_writes_the_same_tables(tmp_path):
    runner = CliRunner()
    tables = {}
    for used in ("en", "fr"):
        out = tmp_path / used
        result = runner.invoke(
            main, ["batch", str(EXAMPLE), "-o", str(out), "--jobs", "1", "--lang", used]
        )
        assert result.exit_code == 0, result.output
        tables[used] = {n: (out / n).read_bytes() for n in ("all.csv", "summary.csv")}
        report = (out / "batch-report.txt").read_text("utf-8")
        if used == "fr":
            assert "calculés\u00a0: 1" in report and "table des facteurs" in report
            assert "1 calculé(s), 0 inchangé(s), 0 en échec" in result.output
    assert tables["fr"] == tables["en"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translated_template_texts_fit_excel_limits(lang):
    """Excel refuses (repairs) a workbook whose validation texts are too long; translations
    must fit without being cut."""
    from hginventory.write.template import ERROR_MAX, PROMPT_MAX, TITLE_MAX, build_template

    with language(lang):
        wb = build_template()
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.error or "") < ERROR_MAX, dv.error
            assert len(dv.prompt or "") < PROMPT_MAX, dv.prompt
            assert len(dv.errorTitle or "") < TITLE_MAX and len(dv.promptTitle or "") < TITLE_MAX


def report_text(lang: str, example: Path = EXAMPLE) -> str:
    """The words of the report (headings, paragraphs, table captions, headers and cells, figure
    captions), one block per line, without layout; the time of the run masked."""
    from hginventory.jobs.validate import validate_input
    from hginventory.write.document import Figure, Heading, Para, Table, build_document

    with language(lang):
        inv = validate_input(example).inventory
        inv.metadata["computed_at"] = "<time of run>"
        inv.metadata["hginv_version"] = "<version>"
        inv.metadata["factor_table_file"] = "<factor table file>"  # where the clone lies
        blocks = build_document(inv)
    lines = []
    for b in blocks:
        if isinstance(b, Heading):
            lines.append(f"{'#' * b.level} {b.text}")
        elif isinstance(b, Para):
            lines.append(f"[{b.kind}] {b.text}")
        elif isinstance(b, Table):
            lines.append(f"table: {b.caption}")
            lines += [" | ".join(str(c) for c in row) for row in [b.headers, *b.rows]]
        elif isinstance(b, Figure):
            lines.append(f"figure: {b.caption}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_report_of_the_example_says_the_same_words_as_reviewed(lang, update_golden):
    """The French and Spanish report of Valdoria, as text: a changed sentence or number shows
    as a diff (regenerate with --update-golden after review)."""
    golden = ROOT / "tests" / "golden" / "report-text" / f"valdoria-2021.{lang}.txt"
    text = report_text(lang)
    if update_golden or not golden.exists():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    english = report_text("en")
    assert text != english
    # numbers are written the language's way, and no English sentence is left behind
    assert ("26\u202f453,3" if lang == "fr" else "26.453,3") in text
    for sentence in ("Executive summary", "Data gaps", "Sub-category", "kg Hg/y", "CAUTION"):
        assert sentence not in text, sentence
