"""Section 4.1, the uncertainty of the estimates: the Monte Carlo ranges and the IPCC error
propagation of a run with --uncertainty, or why the central estimates may be far off without it."""

from __future__ import annotations

import pandas as pd

from hginventory.core import numbers
from hginventory.core.columns import PATHWAY_LABELS, PATHWAYS, SUBTOTAL_LABELS
from hginventory.core.i18n import N_, get_language
from hginventory.core.i18n import gettext as _
from hginventory.engine.inventory import Inventory
from hginventory.write.blocks import Para, Table, clean, kg
from hginventory.write.report.names import source_group_names


def uncertainty_blocks(inv: Inventory) -> list:
    """Render `inv.uncertainty` when a run computed it (a DataFrame or a dict); else say so."""
    u = getattr(inv, "uncertainty", None)
    if u is None:
        return [
            Para(
                _(
                    "Uncertainty ranges were not computed for this run. The Toolkit gives low "
                    "and high input factors for many sub-categories (Annex A); the real releases "
                    "may differ from the central estimates above by a factor of several."
                )
            )
        ]
    if isinstance(u, pd.DataFrame):
        frame = u.reset_index() if u.index.name else u
        numeric = {
            i for i, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])
        }
        rows = [
            [kg(v) if i in numeric else clean(v) for i, v in enumerate(values)]
            for values in frame.itertuples(index=False)
        ]
        return [
            Table(
                _("Uncertainty ranges (kg Hg/y)"),
                [clean(c) for c in frame.columns],
                rows,
                numeric,
                small=True,
            )
        ]
    if isinstance(u, dict):
        rows = [[clean(k), kg(v) if isinstance(v, int | float) else clean(v)] for k, v in u.items()]
        return [Table(_("Uncertainty ranges (kg Hg/y)"), [_("Quantity"), _("Range")], rows)]
    if hasattr(u, "table"):
        return _monte_carlo_blocks(u, source_group_names(inv))
    return [Para(clean(u))]


UNCERTAINTY_NAMES = {
    "hg_input_kg": N_("Hg input"),
    **{f"{p}_kg": PATHWAY_LABELS[p] for p in PATHWAYS},
    "releases_kg": SUBTOTAL_LABELS["releases_kg"],
}


def _quantity(name) -> str:
    return _(UNCERTAINTY_NAMES[name]) if name in UNCERTAINTY_NAMES else clean(name)


def _monte_carlo_blocks(u, names: dict[str, str]) -> list:
    """The ranges of a run with --uncertainty: national totals, then source groups (`names`:
    English source-group name -> its name in the report's language)."""
    lang = get_language()
    head = [
        _("Quantity"),
        _("Point estimate"),
        _("2.5th percentile"),
        _("97.5th percentile"),
        _("Approach 1 U (%)"),
    ]
    total = u.table("total")
    rows = [
        [
            _quantity(x["quantity"]),
            kg(x["point"]),
            kg(x["p025"]),
            kg(x["p975"]),
            numbers.format_number(x["approach1_u_pct"], "percent", locale=lang),
        ]
        for _i, x in total.iterrows()
    ]
    group = u.table("group")
    group = group[group["quantity"].isin(["hg_input_kg", "releases_kg"])]
    group_rows = [
        [
            clean(names.get(x["label"], x["label"])),
            _quantity(x["quantity"]),
            kg(x["point"]),
            kg(x["p025"]),
            kg(x["p975"]),
        ]
        for _i, x in group.iterrows()
        if x["point"] or x["p975"]
    ]
    return [
        Para(
            _(
                "Monte Carlo analysis with {draws} draws (seed {seed}; the same seed gives the "
                "same numbers): input factors drawn within their low-high range, activity rates "
                "with their stated uncertainty, distribution factors around the defaults. The "
                "ranges are the 2.5th and 97.5th percentiles (the interval at 95 %); Approach 1 "
                "is the IPCC error propagation. Totals are counted as in the national totals."
            ).format(draws=numbers.format_number(u.draws, "count", locale=lang), seed=u.seed)
        ),
        Table(_("Uncertainty of the national totals (kg Hg/y)"), head, rows, {1, 2, 3, 4}),
        Table(
            _("Uncertainty by source group, as counted in the national totals (kg Hg/y)"),
            [
                _("Source group"),
                _("Quantity"),
                _("Point estimate"),
                _("2.5th percentile"),
                _("97.5th percentile"),
            ],
            group_rows,
            {2, 3, 4},
            small=True,
        ),
    ]
