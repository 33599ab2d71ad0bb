"""Every table hginv prints fits 80 columns on a terminal without cutting a code or a number,
and prints full, plain, greppable values when the output is piped (CI logs)."""

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hginventory.cli import main, terminal

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "valdoria-2021.xlsx"
LEVEL2 = ROOT / "examples" / "valdoria-2021-level2.xlsx"
BAD = ROOT / "tests" / "data" / "bad"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A baseline and a changed inventory (for diff), computed once."""
    d = tmp_path_factory.mktemp("term")
    runner = CliRunner()
    assert (
        runner.invoke(main, ["compute", str(EXAMPLE), "-o", str(d / "a.xlsx"), "-q"]).exit_code == 0
    )
    assert (
        runner.invoke(main, ["compute", str(LEVEL2), "-o", str(d / "b.xlsx"), "-q"]).exit_code == 0
    )
    return d


def national_totals() -> tuple[str, str]:
    """The example's counted input and total outputs as the terminal prints them."""
    from hginventory import compute, read_activity
    from hginventory.core.numbers import mass

    totals = compute(read_activity(EXAMPLE)).totals()
    return mass(totals["hg_input_kg"]), mass(totals["releases_kg"])


def commands(d: Path, out: Path):
    """(arguments, words that must appear whole) for every command that prints a table."""
    return [
        (["compute", str(EXAMPLE), "-o", str(d / "t.xlsx")], list(national_totals())),
        (["validate", str(BAD / "facilities-exceed-national.xlsx")], ["activity!B2"]),
        (["factors", "list"], ["5.2.2a", "5.4.1a"]),
        (["factors", "list", "--set", "emep"], ["1.A.1.a"]),
        (["factors", "show", "5.2.2a"], ["5.2.2a"]),
        (["diff", str(d / "a.csv"), str(d / "b.csv"), "--all"], ["5.2.2b", "5.1.1"]),
        (["compute", str(EXAMPLE), "-o", str(d / "c.xlsx"), "--crosscheck", "emep"], ["5.7.2"]),
        (
            ["compute", str(EXAMPLE), "-o", str(d / "u.xlsx"), "--uncertainty", "--draws", "200"],
            ["Approach"],
        ),  # fmt: skip
        (
            ["batch", str(EXAMPLE), str(LEVEL2), "-o", str(out / "batch"), "--jobs", "1"],
            ["computed,"],  # a progress bar on a terminal, a line per workbook when piped
        ),
    ]


@pytest.mark.parametrize("case", range(9))
def test_every_table_fits_80_columns_on_a_terminal(results, monkeypatch, case, tmp_path):
    args, words = commands(results, tmp_path)[case]
    buffer = io.StringIO()
    monkeypatch.setattr(
        terminal, "CONSOLE_OPTIONS", {"force_terminal": True, "width": 80, "file": buffer}
    )
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())  # what rich printed
    # every line, tables and prose (wrapped between words by hginv, not cut by the terminal)
    too_long = [line for line in shown.splitlines() if len(line) > 80]
    text = shown + result.output
    assert not too_long, too_long
    assert "…" not in text  # nothing cut
    tokens = set(re.split(r"[\s│┃|]+", text))
    for word in words:
        assert word in tokens, (word, text[:2000])


@pytest.mark.parametrize("case", range(9))
def test_piped_output_is_plain_and_complete(results, monkeypatch, case, tmp_path):
    args, words = commands(results, tmp_path)[case]
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(main, args)  # not a terminal
    assert result.exit_code in (0, 1), result.output
    assert "…" not in result.output and "│" not in result.output
    for word in words:
        assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", result.output), word


def test_factor_ranges_are_printed_whole_when_piped():
    result = CliRunner().invoke(main, ["factors", "list"])
    line = next(ln for ln in result.output.splitlines() if ln.startswith("5.2.2a "))
    assert re.search(r"\(\d[\d.]*-\d[\d.]*\)", line), line


def test_a_narrow_terminal_gets_a_stacked_layout(monkeypatch):
    """Too narrow for the table's words: one 'header: value' line each, nothing cut."""
    buffer = io.StringIO()
    options = {"force_terminal": True, "width": 40, "file": buffer, "color_system": None}
    monkeypatch.setattr(terminal, "CONSOLE_OPTIONS", options)
    assert CliRunner().invoke(main, ["factors", "list"]).exit_code == 0
    lines = buffer.getvalue().splitlines()
    assert "5.2.2a" in lines and "…" not in buffer.getvalue()
    assert any(line.startswith("  Input factor (low-high): ") for line in lines)


def test_totals_follow_the_shared_terminal_decision(monkeypatch, tmp_path):
    """compute's totals table is decided like every other table (the console's, not its own
    isatty): a forced 80-column terminal gets a fitted table; a pipe gets plain lines."""
    buffer = io.StringIO()
    options = {"force_terminal": True, "width": 80, "file": buffer, "color_system": None}
    monkeypatch.setattr(terminal, "CONSOLE_OPTIONS", options)
    args = ["compute", str(EXAMPLE), "-o", str(tmp_path / "t.xlsx")]
    assert CliRunner().invoke(main, args).exit_code == 0
    outputs = national_totals()[1]
    total = next(line for line in buffer.getvalue().splitlines() if "Total outputs" in line)
    assert "│" in total and outputs in total and len(total) <= 80
    monkeypatch.setattr(terminal, "CONSOLE_OPTIONS", {})
    piped = CliRunner().invoke(main, args).output
    line = next(line for line in piped.splitlines() if line.startswith("Total outputs"))
    assert line.split() == ["Total", "outputs", "(releases", "and", "transfers)", outputs]


def test_factor_values_are_never_in_scientific_notation():
    """EMEP factors such as 0.000095 g/Mg were printed `9.5e-05` (Python's `g`)."""
    text = CliRunner().invoke(main, ["factors", "list", "--set", "emep"]).output
    assert "(0.000095-0.000285)" in text
    assert not re.search(r"\d[eE][+-]\d", text), re.findall(r"\S*\d[eE][+-]\d\S*", text)[:5]


ESC_NAMES = ("x\x1b]0;pwned\x07", "y\x1b[2J", "z\u202eslx.exe", "w\x9b31m")


def test_control_characters_are_shown_as_text_and_letters_kept():
    """ESC, BEL, C1 controls and bidi overrides become visible escapes; accents (composed or
    not), a tab (a space) and the newlines of a message stay what they are."""
    from hginventory.cli.terminal import clean

    assert clean("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert clean("r\u202eevil\x9b") == "r\\u202eevil\\x9b"
    assert clean("Côte d’Ivoire, Co\u0302te, São\tTomé") == "Côte d’Ivoire, Co\u0302te, São Tomé"
    assert clean("line one\nline two") == "line one\nline two"
    assert clean("cell\nforged row", newlines=False) == "cell\\nforged row"


@pytest.mark.parametrize("name", ESC_NAMES)
def test_a_file_name_with_control_characters_never_reaches_the_terminal_raw(name, tmp_path):
    """compute's error and its 'Wrote' line name the file: shown, never obeyed, whether
    click or hginv prints the message, on stdout or stderr."""
    missing = CliRunner().invoke(main, ["compute", str(tmp_path / f"{name}.xlsx")])
    assert missing.exit_code != 0
    workbook = tmp_path / f"{name}.xlsx"
    workbook.write_bytes(EXAMPLE.read_bytes())
    wrote = CliRunner().invoke(main, ["compute", str(workbook)])
    assert wrote.exit_code == 0, wrote.output
    for text in (missing.output, wrote.output):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", text), repr(text)
    assert name.encode("unicode_escape").decode()[:6] in wrote.output.replace("\\\\", "\\")


def test_the_diff_table_shows_control_characters_of_a_result_csv(results, monkeypatch):
    """A facility name edited in a result CSV to hold a screen clear and a bidi override."""
    b = results / "b.csv"
    edited = results / "edited.csv"
    text = b.read_text(encoding="utf-8")
    text = text.replace("Northgate power station", "North\x1b[2Jgate \u202epower")
    edited.write_text(text, encoding="utf-8")
    buffer = io.StringIO()
    options = {"force_terminal": True, "width": 80, "file": buffer, "color_system": None}
    monkeypatch.setattr(terminal, "CONSOLE_OPTIONS", options)
    result = CliRunner().invoke(main, ["diff", str(b), str(edited)])
    assert result.exit_code == 0, result.output
    shown = buffer.getvalue()
    assert "\x1b[2J" not in shown and "\u202e" not in shown
    assert "North\\x1b[2Jgate" in shown and "\\u202epower" in shown


def test_factor_texts_piped_show_control_characters_as_text(tmp_path):
    """`factors show` with an overlay whose note holds a colour code, piped (a CI log)."""
    overlay = tmp_path / "overlay.csv"
    overlay.write_text(
        "code,input_factor,status,document,version,table_page,note\n"
        '5.1.1,0.2,recalled,UNEP-L1,2.1,p. 1,"see \x1b[31mred\x1b[0m"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["factors", "show", "5.1.1", "--factors", str(overlay)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "see \\x1b[31mred\\x1b[0m" in result.output


@pytest.mark.parametrize(
    ("text", "width", "whole"),
    [
        ("Interpolated: 5.1.3c 2016, 2017; 5.2.2a 2016 and 5.1.1 in between", 20, ["5.1.3c"]),
        ("Republic of Valdoria 2021: national totals (kg Hg/y)", 46, ["(kg Hg/y)"]),
        ("17 of 69 factors used are 'recalled' (not confirmed against the Toolkit)", 40,
         ["(not", "confirmed"]),  # fmt: skip
        ("Remarque : 17 des 69 facteurs utilisés sont « recalled »", 14,
         ["Remarque :", "« recalled »"]),  # fmt: skip
        ("Extraction d'or - amalgamation du minerai entier", 20, ["d'or -"]),
    ],
)
def test_prose_wraps_between_words(text, width, whole):
    """Never inside a code, a number or '(kg Hg/y)', never before a French ':' or a dash."""
    from hginventory.cli.terminal import wrap_text

    lines = wrap_text(text, width).plain.split("\n")
    assert len(lines) > 1 and all(len(line) <= max(width, 12) for line in lines), lines
    assert " ".join(lines) == text  # nothing lost, nothing cut: only spaces became breaks
    for words in whole:
        assert any(words in line for line in lines), (words, lines)
    assert not any(line.startswith((":", "-", ";")) for line in lines), lines


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.text(alphabet="abcé5.1/-:%()«»", min_size=1, max_size=14), min_size=1, max_size=25
    ),
    width=st.integers(min_value=4, max_value=60),
    hang=st.integers(min_value=0, max_value=4),
)
def test_wrapped_prose_keeps_every_character_and_fits(words, width, hang):
    """Whatever the words: each line fits (a word is folded only when wider than the whole
    line) and the text read back, breaks and indents removed, is the text given."""
    from hginventory.cli.terminal import wrap_text

    text = " ".join(words)
    lines = wrap_text(text, width, hang=hang).plain.split("\n")
    assert all(len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet="ab é5.1-/%\x1b", max_size=30), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    ),
    width=st.integers(min_value=20, max_value=120),
)
def test_any_table_fits_any_terminal_whole(rows, width):
    """Any cells, any width: no line wider than the terminal, both borders on every table
    line, every word of every cell on screen whole (in a table or the stacked view)."""
    from rich.table import Table

    buffer = io.StringIO()
    console = terminal.console_class()(
        force_terminal=True, width=width, file=buffer, color_system=None, soft_wrap=True
    )
    table = Table(title="Title (kg Hg/y)")
    for name in ("Code", "Name", "Value"):
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    terminal.show_table(table, console)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= width for line in lines), lines
    assert all(line[-1] in "│┃┓┩┘" for line in lines if line and line[0] in "│┃┏┡└"), lines
    shown = set(re.split(r"[ │┃\n]+", buffer.getvalue()))
    for word in (w for row in rows for cell in row for w in terminal.clean(cell).split()):
        if len(word) <= width - 4:
            assert word in shown or any(word in s for s in shown), (word, lines)
