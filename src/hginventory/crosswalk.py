"""Crosswalks from Toolkit sub-categories to the way reports want results summed.

`factors/crosswalk.csv` gives each sub-category its Minamata Convention link (the Annex D
source category of Article 8 where it is one; Article 3, 4, 5 or 7 otherwise) and the EMEP/EEA
NFR code(s) of its air emissions. A sub-category with several NFR codes has one `nfr_primary`
under which its whole air emission is summed; the others are listed (`nfr_other`) so that a
CLRTAP inventory compiler knows where a split would go.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from hginventory.errors import FactorTableError, Problem

ANNEX_D = (
    "coal-fired power plants",
    "coal-fired industrial boilers",
    "smelting and roasting processes used in the production of non-ferrous metals",
    "waste incineration facilities",
    "cement clinker production facilities",
)
ARTICLES = (
    "Art. 3 (primary mercury mining)",
    "Art. 4 (Annex A Part I)",
    "Art. 4 (Annex A Part II)",
    "Art. 5 (Annex B Part I)",
    "Art. 5 (Annex B Part II)",
    "Art. 7 (ASGM)",
    "Art. 8 (Annex D)",
)
COLUMNS = (
    "code",
    "annex_d",
    "convention_article",
    "nfr_primary",
    "nfr_other",
    "nfr_basis",
    "provenance",
    "note",
)
NOT_ANNEX_D = "not an Annex D source category"
NO_NFR = "no NFR code"
BY_CHOICES = ("annex-d", "nfr")


@dataclass(frozen=True)
class Link:
    code: str
    annex_d: str
    convention_article: str
    nfr_primary: str
    nfr_other: tuple[str, ...]
    nfr_basis: str
    provenance: str
    note: str


def crosswalk_path() -> Path:
    from hginventory.factors import factors_dir

    return factors_dir() / "crosswalk.csv"


def load_crosswalk(path: str | Path | None = None, codes=None) -> dict[str, Link]:
    """Read and check the crosswalk; `codes` (a factor table's) must each have a row."""
    path = Path(path) if path else crosswalk_path()
    problems: list[Problem] = []

    def problem(message, where, name="", found=""):
        cell = f"{where}, field '{name}'" if name else where
        problems.append(Problem(message, file=str(path), cell=cell, found=found, kind="factors"))

    if not path.is_file():
        raise FactorTableError(f"crosswalk not found: {path}")
    records = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = list(records[0].keys()) if records else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        problem(f"missing column(s) {', '.join(missing)}", "header (line 1)")
        raise FactorTableError(f"crosswalk {path.name} is not valid", problems)
    links: dict[str, Link] = {}
    for line, rec in enumerate(records, start=2):
        rec = {k: (v or "").strip() for k, v in rec.items() if k is not None}
        where = f"line {line} (code {rec['code']})"
        if rec["code"] in links:
            problem("code appears twice", where, "code", rec["code"])
        if rec["annex_d"] and rec["annex_d"] not in ANNEX_D:
            problem("not an Annex D source category", where, "annex_d", rec["annex_d"])
        if rec["annex_d"] and rec["convention_article"] != "Art. 8 (Annex D)":
            problem("an Annex D row's article is Art. 8 (Annex D)", where, "convention_article")
        if rec["convention_article"] and rec["convention_article"] not in ARTICLES:
            problem("unknown article", where, "convention_article", rec["convention_article"])
        if rec["nfr_primary"] and rec["nfr_basis"] not in ("emep-hg", "nomenclature"):
            problem("expected emep-hg or nomenclature", where, "nfr_basis", rec["nfr_basis"])
        if not rec["provenance"]:
            problem("every row needs its provenance", where, "provenance")
        others = tuple(o.strip() for o in rec["nfr_other"].split(";") if o.strip())
        links[rec["code"]] = Link(**{**{c: rec[c] for c in COLUMNS}, "nfr_other": others})
    for code in codes or ():
        if code not in links:
            problem("sub-category of the factor table has no crosswalk row", "", "code", code)
    if problems:
        raise FactorTableError(f"crosswalk {path.name} is not valid", problems)
    return links


def link_for(code: str, links: dict[str, Link]) -> Link | None:
    """The row of `code`, or of the sub-category a variant code (5.1.1x) derives from."""
    while code:
        if code in links:
            return links[code]
        code = code[:-1]
    return None


def summarise(inv, by: str, links: dict[str, Link] | None = None):
    """National air emissions (as counted in the totals) summed by Annex D category or NFR.

    Returns a DataFrame: the category, the sub-categories summed in it, air kg, and for NFR the
    other NFR codes those sub-categories also touch.
    """
    import pandas as pd

    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}")
    links = links if links is not None else load_crosswalk()
    air = inv.counted_releases()["air_kg"]
    records: dict[str, dict] = {}
    for code, kg in zip(inv.results["code"], air, strict=True):
        link = link_for(code, links)
        if by == "annex-d":
            key = (link.annex_d if link else "") or NOT_ANNEX_D
        else:
            key = (link.nfr_primary if link else "") or NO_NFR
        rec = records.setdefault(key, {"codes": [], "air_kg": 0.0, "also": []})
        if code not in rec["codes"]:
            rec["codes"].append(code)
        rec["air_kg"] += float(kg)
        if link and by == "nfr":
            rec["also"] += [o for o in link.nfr_other if o not in rec["also"]]
    label = "annex_d_category" if by == "annex-d" else "nfr"
    order = ANNEX_D + (NOT_ANNEX_D,) if by == "annex-d" else None
    keys = [k for k in order if k in records] if order else sorted(records, key=_nfr_key)
    rows = [
        {
            label: k,
            "sub_categories": ";".join(records[k]["codes"]),
            "air_kg": records[k]["air_kg"],
            **({"other_nfr_codes": ";".join(records[k]["also"])} if by == "nfr" else {}),
        }
        for k in keys
    ]
    return pd.DataFrame.from_records(rows)


def _nfr_key(code: str):
    return (code == NO_NFR, [int(p) if p.isdigit() else p for p in code.split(".")])


def convention_sheet(wb, inv, styles) -> None:
    """Workbook sheet 'Convention and NFR': air emissions by Annex D category and by NFR code."""
    from hginventory.report import KG, _put, _table, _widths

    ws = wb.create_sheet("Convention and NFR")
    _put(ws, 1, 1, "Air emissions summed for reporting (kg Hg/y)", font=styles["title"])
    note = (
        "Air emissions as counted in the national totals, summed by the Minamata Convention's "
        "Annex D source categories (Article 8) and by EMEP/EEA NFR code (CLRTAP). A "
        "sub-category with several NFR codes is summed under its primary code; the others are "
        "listed. Links from factors/crosswalk.csv; Convention links are recalled, not checked."
    )
    _put(ws, 2, 1, note).alignment = styles["wrap"]
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    ws.row_dimensions[2].height = 45
    links = load_crosswalk()
    annex = summarise(inv, "annex-d", links)
    r = _table(
        ws,
        4,
        ["Annex D source category", "Sub-categories", "Air (kg Hg/y)"],
        annex.itertuples(index=False),
        {3: KG},
        styles,
    )
    nfr = summarise(inv, "nfr", links)
    _table(
        ws,
        r + 2,
        ["NFR code", "Sub-categories", "Air (kg Hg/y)", "Other NFR codes they touch"],
        nfr.itertuples(index=False),
        {3: KG},
        styles,
    )
    _widths(ws, {"A": 60, "B": 40, "C": 16, "D": 50})
