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
    for msgid in sorted(source_messages, key=str):
        entry = catalog.get(msgid)
        plural = isinstance(msgid, tuple)  # (singular, plural) of an ngettext message
        texts = [getattr(entry, "string", "")]
        if entry is not None and plural:
            texts = list(entry.string)
        if entry is None or not all(texts):
            missing.append(msgid)
        elif entry.fuzzy:
            fuzzy.append(msgid)
        elif plural and any(
            set(PLACEHOLDER.findall(t)) - set(PLACEHOLDER.findall(msgid[1])) for t in texts
        ):
            placeholders.append(f"{msgid!r} -> {entry.string!r}")
        elif not plural and sorted(PLACEHOLDER.findall(msgid)) != sorted(
            PLACEHOLDER.findall(entry.string)
        ):
            placeholders.append(f"{msgid!r} -> {entry.string!r}")
    assert not missing, f"{lang}: no translation (run the commands of docs/translators.md)"
    assert not fuzzy, f"{lang}: fuzzy translations to review: {fuzzy}"
    assert not placeholders, f"{lang}: placeholders differ: {placeholders}"


def test_the_template_catalog_is_up_to_date(source_messages):
    """hginv.pot, which translators start from, holds exactly the messages of the code."""
    with open(LOCALE_DIR / "hginv.pot", "rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    assert pot == source_messages, "run pybabel extract (docs/translators.md)"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_shipped_compiled_catalog_is_the_po_file(lang):
    """The .mo shipped beside each .po says the same (pybabel compile after every edit)."""
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "hginv.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        m.id
        for m in _catalog(lang)
        if m.id
        and not m.fuzzy
        and (
            any(compiled.ngettext(*m.id, n) != m.string[compiled.plural(n)] for n in (1, 2, 5))
            if m.pluralizable
            else compiled.gettext(m.id) != m.string
        )
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
            (
                "avertissement",
                "lu avec ',' comme séparateur décimal",
                "1500,5",
                "Total des sorties",
            ),
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
        assert wb.sheetnames == ["instructions", "country", "activity", "facilities", "hotspots"]
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
            assert "warning" in checked.output and "Total outputs" in done.output
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
            assert "calculés\u00a0: 1, inchangés\u00a0: 0, en échec\u00a0: 0" in result.output
    assert tables["fr"] == tables["en"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translated_template_texts_fit_excel_limits(lang, tmp_path):
    """Excel refuses (repairs) a workbook whose validation texts are too long; translations
    must fit without being cut."""
    from hginventory.write.template import ERROR_MAX, PROMPT_MAX, TITLE_MAX, write_template

    with language(lang):
        wb = load_workbook(write_template(tmp_path / "template.xlsx"))
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.error or "") < ERROR_MAX, dv.error
            assert len(dv.prompt or "") < PROMPT_MAX, dv.prompt
            assert len(dv.errorTitle or "") < TITLE_MAX and len(dv.promptTitle or "") < TITLE_MAX


def report_text(lang: str, example: Path = EXAMPLE) -> str:
    """The words of the report (headings, paragraphs, table captions, headers and cells, figure
    captions), one block per line, without layout; the time of the run masked."""
    from hginventory.jobs.validate import validate_input
    from hginventory.write.blocks import Figure, Heading, Para, Table
    from hginventory.write.report.contents import build_document

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
    assert ("25\u202f949,5" if lang == "fr" else "25.949,5") in text
    for sentence in ("Executive summary", "Data gaps", "Sub-category", "kg Hg/y", "CAUTION"):
        assert sentence not in text, sentence


# --- every message to a person goes through the catalog -----------------------------------------

# Calls whose text reaches a person: located problems, errors, terminal output, table captions,
# report blocks, workbook cells.
_SINKS = {
    "Problem", "HginvError", "InputFileError", "UnsafeInputError", "ActivityError",
    "FactorTableError", "UnitError", "OutputError", "CrosscheckError", "BatchUsageError",
    "echo", "secho", "BadParameter", "UsageError", "ClickException", "print", "add_column",
    "Table", "write_string", "text", "note", "Heading", "Para",
}  # fmt: skip
_TEXT_KEYWORDS = {"message", "expected", "help", "title", "name", "caption", "short_help"}
_MARKUP = re.compile(r"\[/?[a-z ]*\]")


def _english_text(node) -> bool:
    """Whether `node` is (or builds on) a literal with words that no _() or N_() wraps."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]", _MARKUP.sub("", node.value)))
    if isinstance(node, ast.JoinedStr):
        return any(_english_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _english_text(node.left) or _english_text(node.right)
    if isinstance(node, ast.IfExp):
        return _english_text(node.body) or _english_text(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("format", "join"):
            return _english_text(node.func.value)
    return False


def test_every_text_for_people_is_marked_for_translation():
    """A message written as a bare string (or f-string) never reaches the catalog, so the
    completeness test above cannot see it: every text handed to a problem, an error, the
    terminal, a table, a report block or a workbook cell is wrapped in _() or N_()."""
    import ast

    bare = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in _SINKS:
                continue
            texts = node.args[:1] + [k.value for k in node.keywords if k.arg in _TEXT_KEYWORDS]
            bare += [
                f"{path.relative_to(SRC)}:{t.lineno}: {ast.unparse(t)[:80]}"
                for t in texts
                if _english_text(t)
            ]
    assert not bare, "wrap these in _() (see docs/translators.md):\n" + "\n".join(bare)


# --- trend, diff, factors and the hostile-input gate speak the user's language ------------------

TREND_YEARS = [ROOT / "examples" / f"valdoria-{y}.xlsx" for y in (2015, 2018, 2021)]


def _chart_titles(path: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "charts/chart" in n)
    return re.findall(r"<a:t>([^<]*)</a:t>", xml)


@pytest.fixture(scope="module")
def trend_runs(tmp_path_factory):
    """A consultant's three Valdoria workbooks as one series, in English and in French."""
    runs = {}
    for lang in ("en", "fr"):
        out = tmp_path_factory.mktemp(f"trend-{lang}")
        args = ["trend", *map(str, TREND_YEARS), "-o", str(out), "--fill", "interpolate"]
        result = CliRunner().invoke(main, [*args, "--lang", lang])
        assert result.exit_code == 0, result.output
        runs[lang] = (out, result.output)
    return runs


def test_a_french_trend_has_french_captions_and_the_english_csvs(trend_runs):
    (fr, said), (en, _said) = trend_runs["fr"], trend_runs["en"]
    for name in ("trend.csv", "totals.csv"):
        assert (fr / name).read_bytes() == (en / name).read_bytes(), name
    assert "Activité interpolée (colonne «\u00a0filled\u00a0» de trend.csv)" in said
    assert "2016 (sans classeur)\u00a0: 34 sous-catégories interpolées" in said
    assert "25\u202f949,5" in said  # the terminal table in French digits
    french, english = load_workbook(fr / "trend.xlsx"), load_workbook(en / "trend.xlsx")
    assert french.sheetnames == english.sheetnames  # sheet names are the machine contract
    assert (
        french["Read me"]["A1"].value
        == "Évolution de l'inventaire du mercure\u00a0: Republic of Valdoria"
    )
    headers = [c.value for c in french["Totals by pathway"][1]]
    assert "Total des sorties (rejets et transferts) (kg Hg/an)" in headers and "Année" in headers
    data = [c.value for c in french["Series data"][1]]
    assert data == [c.value for c in english["Series data"][1]]  # trend.csv's own columns
    titles = _chart_titles(fr / "trend.xlsx")
    assert "Rejets par voie\u00a0: courbes" in titles and "kg Hg/an" in titles
    assert not any("Releases" in t or "kg Hg/y" in t for t in titles)


def test_the_report_s_trend_chapter_in_spanish(trend_runs):
    from hginventory.read.trend import read_trend_folder
    from hginventory.write.blocks import Heading, Para, Table
    from hginventory.write.trend_report import trend_chapter

    folder, _said = trend_runs["en"]  # a folder of any language: its CSVs are the same
    with language("es"):
        blocks = trend_chapter(read_trend_folder(folder), 15)
    text = [b.text for b in blocks if isinstance(b, Heading | Para)]
    assert text[0] == "15 Evolución a lo largo de los años"
    assert "2016: actividad interpolada para 5.1.1" in " ".join(text)
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.caption == "Totales nacionales por año (kg Hg/año)"
    assert table.headers[:2] == ["Año", "Entrada de Hg"]
    assert any("sin libro: 34 filas interpoladas" in row[-1] for row in table.rows)


def test_validate_in_french_finds_the_unclosed_quote_of_a_csv(tmp_path):
    path = tmp_path / "activité.csv"
    path.write_text(
        'field,value\ncountry,Valdoria\nyear,2021\n\ncode,activity,unit\n5.1.1,"12,t\n5.1.2,3,t\n',
        "utf-8",
    )
    result = CliRunner().invoke(main, ["validate", "--lang", "fr", str(path)])
    assert result.exit_code == 1
    assert "un guillemet ouvre une valeur qui n'est jamais fermée" in result.output
    assert (
        "ligne 6" in result.output
        and 'un guillemet fermant ("), ou aucun guillemet' in result.output
    )


def test_a_hostile_input_is_refused_in_spanish_with_spanish_digits(tmp_path):
    path = tmp_path / "enorme.csv"
    text = "field,value\ncountry,Valdoria\nyear,2021\n\ncode,activity,unit\n5.1.1,"
    path.write_text(text + "x" * 10_001 + ",t\n", "utf-8")
    result = CliRunner().invoke(main, ["validate", "--lang", "es", "--json", str(path)])
    assert result.exit_code == 1
    import json

    problem = json.loads(result.output)["problems"][0]
    assert problem["message"] == "texto de 10.001 caracteres"
    assert problem["expected"] == "como máximo 10.000 caracteres"
    assert problem["severity"] == "error"  # values stay machine words


def test_a_factor_table_s_problems_in_spanish(tmp_path):
    overlay = tmp_path / "mis-factores.csv"
    overlay.write_text(
        "code,input_factor,status,document,version,table_page\n"
        "5.1.1,abc,confirmed,toolkit-2019,2.1,T\n",
        "utf-8",
    )
    result = CliRunner().invoke(main, ["factors", "validate", "--lang", "es", str(overlay)])
    assert result.exit_code == 1
    assert "la tabla de factores mis-factores.csv no es válida" in result.output
    assert "fila 2 (código 5.1.1), campo «input_factor»" in result.output
    assert "El valor debe ser un número" in result.output  # pydantic's words, from the catalog


def test_trend_factors_and_diff_help_in_the_user_s_language():
    runner = CliRunner()
    trend = runner.invoke(main, ["trend", "--lang", "es", "--help"])
    assert "Los libros de actividad de varios años de un país" in trend.output
    diff = runner.invoke(main, ["factors", "diff", "--lang", "fr", "--help"])
    assert "Ce qui a changé de la table des facteurs OLD à NEW" in diff.output
    listing = runner.invoke(main, ["--help"], env={"LANG": "fr_FR.UTF-8"})
    assert "Tables des facteurs" in listing.output and "Comparer deux inventaires" in listing.output
