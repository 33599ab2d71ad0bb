import json
from pathlib import Path

import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).parent / "golden"

DEFAULT_COUNTRY = {
    "country": "Testland",
    "year": 2021,
    "population": 1_000_000,
    "electrification_rate": 50,
}


def reported(result) -> list[dict]:
    """The problems `hginv validate --json` printed: code, severity, file, sheet, cell, ..."""
    return json.loads(result.output)["problems"]


def codes(found) -> list[str]:
    """The problem codes of what a test got, in order: the output of `hginv validate --json`,
    an error hginv raised (from `pytest.raises`: its problems', else its own), anything with
    `problems` (a Validation, ActivityData...) or a list of problems."""
    if hasattr(found, "output"):  # click's result of `validate --json`
        return [p["code"] for p in reported(found)]
    if isinstance(getattr(found, "value", None), BaseException):  # pytest.raises(...) as info
        found = found.value
    problems = getattr(found, "problems", found)
    if isinstance(found, BaseException) and not problems:
        return [found.code]
    return [p.code for p in problems]


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden result files from the current code and factor tables.",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def factors():
    from hginventory.tables.factors import load_factors

    return load_factors()


@pytest.fixture
def example_path() -> Path:
    return EXAMPLES / "valdoria-2021.xlsx"


def write_workbook(path: Path, activity, country=None, *, country_rows=None) -> Path:
    """An activity workbook as a focal point would fill it: rows are (code, activity, unit)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    ws.append(["field", "value"])
    if country_rows is None:
        country_rows = list({**DEFAULT_COUNTRY, **(country or {})}.items())
    for row in country_rows:
        ws.append(list(row))
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes"])
    for row in activity:
        ws.append(list(row) + [""] * (4 - len(row)))
    wb.save(path)
    return path


@pytest.fixture
def make_workbook(tmp_path):
    counter = iter(range(10_000))

    def make(activity, country=None, name=None, **kw) -> Path:
        path = tmp_path / (name or f"activity-{next(counter)}.xlsx")
        return write_workbook(path, activity, country, **kw)

    return make


@pytest.fixture(autouse=True)
def english_environment(monkeypatch):
    """Every test starts in English, whatever the language of the machine running it; a test
    that sets a language (CLI --lang, set_language) does not leak it into the next one."""
    from hginventory.core.i18n import set_language

    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language(None)
    yield
    set_language(None)
