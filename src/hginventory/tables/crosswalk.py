"""The Annex D / NFR crosswalk of Toolkit sub-categories, validated on load."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from hginventory.core.errors import FactorTableError, Problem
from hginventory.core.i18n import gettext as _
from hginventory.tables.rows import missing_columns, table_problems

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
    from hginventory.tables.factors import factors_dir

    return factors_dir() / "crosswalk.csv"


def load_crosswalk(path: str | Path | None = None, codes=None) -> dict[str, Link]:
    """Read and check the crosswalk; `codes` (a factor table's) must each have a row."""
    path = Path(path) if path else crosswalk_path()
    problems: list[Problem] = []

    problem = table_problems(problems, path, code="crosswalk-invalid")

    if not path.is_file():
        raise FactorTableError(_("crosswalk not found: {file}").format(file=path))
    records = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = list(records[0].keys()) if records else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        problem(
            missing_columns(missing),
            _("header (line 1)"),
        )
        raise FactorTableError(_("crosswalk {file} is not valid").format(file=path.name), problems)
    links: dict[str, Link] = {}
    for line, rec in enumerate(records, start=2):
        rec = {k: (v or "").strip() for k, v in rec.items() if k is not None}
        where = _("line {line} (code {code})").format(line=line, code=rec["code"])
        if rec["code"] in links:
            problem(_("code appears twice"), where, "code", rec["code"])
        _link_problems(rec, where, problem)
        others = tuple(o.strip() for o in rec["nfr_other"].split(";") if o.strip())
        links[rec["code"]] = Link(**{**{c: rec[c] for c in COLUMNS}, "nfr_other": others})
    for code in codes or ():
        if code not in links:
            problem(_("sub-category of the factor table has no crosswalk row"), "", "code", code)
    if problems:
        raise FactorTableError(_("crosswalk {file} is not valid").format(file=path.name), problems)
    return links


def _link_problems(rec: dict, where: str, problem) -> None:
    """A row's Annex D category, article and NFR basis are known ones, and it has its
    provenance."""
    if rec["annex_d"] and rec["annex_d"] not in ANNEX_D:
        problem(_("not an Annex D source category"), where, "annex_d", rec["annex_d"])
    if rec["annex_d"] and rec["convention_article"] != "Art. 8 (Annex D)":
        problem(_("an Annex D row's article is Art. 8 (Annex D)"), where, "convention_article")
    if rec["convention_article"] and rec["convention_article"] not in ARTICLES:
        problem(_("unknown article"), where, "convention_article", rec["convention_article"])
    if rec["nfr_primary"] and rec["nfr_basis"] not in ("emep-hg", "nomenclature"):
        problem(_("expected emep-hg or nomenclature"), where, "nfr_basis", rec["nfr_basis"])
    if not rec["provenance"]:
        problem(_("every row needs its provenance"), where, "provenance")


def link_for(code: str, links: dict[str, Link]) -> Link | None:
    """The row of `code`, or of the sub-category a variant code (5.1.1x) derives from."""
    while code:
        if code in links:
            return links[code]
        code = code[:-1]
    return None


def nfr_sort_key(code: str):
    return (code == NO_NFR, [int(p) if p.isdigit() else p for p in code.split(".")])
