"""The shipped factor table: complete, ordered, sourced, balanced; broken tables are located."""

import re
import shutil

import pytest

from hginventory.core.columns import PATHWAYS
from hginventory.core.errors import FactorTableError
from hginventory.tables.factors import load_factors

# Every sub-category of the Toolkit (Level 2 numbering), as listed in shared/reference/
# toolkit_level1.md §2.3. Level 1 splits some into suffixed variants (5.1.3a ...).
TOOLKIT_SUBCATEGORIES = [
    "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.1.5", "5.1.6", "5.1.7",
    "5.2.1", "5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6", "5.2.7", "5.2.8", "5.2.9",
    "5.3.1", "5.3.2", "5.3.3",
    "5.4.1", "5.4.2", "5.4.3", "5.4.4", "5.4.5", "5.4.6", "5.4.7", "5.4.8", "5.4.9",
    "5.4.10", "5.4.11", "5.4.12", "5.4.13",
    "5.5.1", "5.5.2", "5.5.3", "5.5.4", "5.5.5",
    "5.6.1", "5.6.2", "5.6.3",
    "5.7.1", "5.7.2", "5.7.3", "5.7.4", "5.7.5",
    "5.8.1", "5.8.2", "5.8.3", "5.8.4", "5.8.5",
    "5.9.1", "5.9.2",
]  # fmt: skip


def _key(code):
    base = re.match(r"([\d.]+)([a-z]?)$", code)
    return [*map(int, base.group(1).split(".")), base.group(2)]


def test_every_toolkit_subcategory_is_in_the_table(factors):
    bases = {re.sub(r"[a-z]$", "", c) for c in factors.codes}
    missing = [c for c in TOOLKIT_SUBCATEGORIES if c not in bases]
    assert missing == []
    assert bases == set(TOOLKIT_SUBCATEGORIES)


def test_rows_follow_toolkit_order(factors):
    assert factors.codes == sorted(factors.codes, key=_key)


def test_every_row_is_sourced_and_balanced(factors):
    for row in factors.rows:
        assert row.document in factors.documents, row.code
        assert row.version and row.table_page, row.code
        assert row.status in ("confirmed", "recalled", "estimated")  # never national when shipped
        assert abs(sum(row.distribution.values()) - 1) <= 1e-9, row.code
        assert row.source_group in factors.groups, row.code


def test_recalled_rows_say_how_sure_and_confirmed_rows_cite_a_checked_page(factors):
    for row in factors.rows:
        if row.status == "recalled":
            assert row.confidence in ("hi", "med", "lo"), row.code
        elif row.status == "confirmed":
            assert "not checked" not in row.table_page, row.code


NO_TOOLKIT_VALUE = ("No Toolkit", "no trustworthy", "No recollection", "taken equal to",
                    "best justified", "derived", "No value found", "Reasoned", "by analogy",
                    "assumed", "Assumed")


def test_a_row_that_says_no_toolkit_value_is_known_is_not_called_recalled(factors):
    """A trainer strikes out a 'Toolkit default' the project made up: such a row (or its
    split) is `estimated`, says how it was derived, and cites no file of this repository."""
    from hginventory.tables.level2 import default_tables

    level2 = default_tables()
    rows = [(r.code, r.status, r.split_status, r.note) for r in factors.rows]
    rows += [(c.id, c.status, c.status, c.note) for c in level2.configs.values()]
    rows += [(i.id, i.status, i.status, i.note) for i in level2.inputs.values()]
    for key, status, split, note in rows:
        assert ".md" not in note, key
        if any(word.lower() in note.lower() for word in NO_TOOLKIT_VALUE):
            assert "estimated" in (status, split), (key, note)
        if "estimated" in (status, split):
            assert note, key


def test_no_toolkit_default_is_dressed_up_as_confirmed(factors):
    # shared/reference/toolkit_level1.md §0: no Level 1 value could be checked against a copy.
    toolkit = [r for r in factors.rows if r.document.startswith("UNEP")]
    assert toolkit and all(r.status == "recalled" for r in toolkit)


def test_table_has_version_and_content_hash(factors):
    assert factors.id == "unep-toolkit-l1"
    assert factors.version
    assert re.fullmatch(r"[0-9a-f]{64}", factors.sha256)
    assert factors.factor_id("5.1.1") == f"unep-toolkit-l1@{factors.version}:5.1.1"


@pytest.fixture
def table_copy(tmp_path, factors):
    from hginventory.tables.factors import factors_dir

    folder = tmp_path / "factors"
    shutil.copytree(factors_dir(), folder)
    return folder / "toolkit_level1.csv"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_changing_one_value_changes_the_hash(table_copy, factors):
    _edit(
        table_copy,
        "5.1.1,Coal combustion in large power plants,fuels,"
        "coal combusted (plants >= 300 MW thermal),t,0.15",
        "5.1.1,Coal combustion in large "
        "power plants,fuels,coal combusted (plants >= 300 MW thermal),t,0.2",
    )
    edited = load_factors(table_copy)
    assert edited["5.1.1"].input_factor == 0.2
    assert edited.sha256 != factors.sha256


def test_unbalanced_distribution_is_located(table_copy):
    _edit(
        table_copy, "corpses,2.5,1,4,g/corpse,1,0,0,0,0,0", "corpses,2.5,1,4,g/corpse,0.9,0,0,0,0,0"
    )
    with pytest.raises(FactorTableError) as info:
        load_factors(table_copy)
    [problem] = info.value.problems
    assert problem.file.endswith("toolkit_level1.csv")
    assert problem.code == "factor-row-invalid" and "(code 5.9.1)" in problem.cell
    assert "sum to 0.9" in problem.message  # the code is any bad field: the message says which


def test_bad_field_values_are_each_reported_with_line_and_field(table_copy):
    _edit(table_copy, "5.1.2,Other coal uses,fuels,", "5.1.2,Other coal uses,nowhere,")
    _edit(
        table_copy,
        'g/t,1,0,0,0,0,0,none,1,,,recalled,,lo,UNEP-L1,2.1,"L1 default, 5.1.2',
        'g/t,1,0,0,0,0,0,none,1,,,guessed,,lo,UNEP-L1,2.1,"L1 default, 5.1.2',
    )
    _edit(
        table_copy, "raw gas produced,Nm3,100,2,200,ug/Nm3", "raw gas produced,Nm3,100,2,200,ug/t"
    )
    with pytest.raises(FactorTableError) as info:
        load_factors(table_copy)
    cells = [p.cell for p in info.value.problems]
    assert any("line 3 (code 5.1.2), field 'status'" in c for c in cells)
    assert any("line 3 (code 5.1.2), field 'source_group'" in c for c in cells)
    assert any("(code 5.1.4a)" in c for c in cells)
    text = str(info.value)
    assert "toolkit_level1.csv" in text and "per mass" in text


def test_every_pathway_is_a_column(factors):
    frame = factors.frame()
    for p in PATHWAYS:
        assert p in frame.columns
    assert len(frame) == len(factors)


def test_the_fast_loader_reads_the_shipped_table_as_the_validating_model_does():
    """compute loads the shipped table without pydantic; it must be the validated table."""
    from hginventory.tables.factors import load_factors

    fast, checked = load_factors(), load_factors(validate=True)
    assert fast == checked
    assert [r.model_dump() for r in fast.rows] == [r.model_dump() for r in checked.rows]
    assert [type(getattr(r, f)) for r in fast.rows for f in r.model_dump()] == [
        type(getattr(r, f)) for r in checked.rows for f in r.model_dump()
    ]
    assert fast.frame().equals(checked.frame())
