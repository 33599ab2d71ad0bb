"""Uncertainty of an inventory: Monte Carlo (Approach 2) and error propagation (Approach 1).

Monte Carlo, vectorised over draws x sub-categories x pathways, one NumPy generator seeded
with `seed` (the same seed and number of draws give bit-identical results). The random numbers
are drawn in slices of draws and the statistics computed a few result rows at a time, which
gives the same numbers as drawing everything at once while holding only what must be kept
(each row's Hg input draws, the Dirichlet gammas, the group and national totals): a run that
would hold more than `MEMORY_BUDGET` is refused before any draw, naming the most draws that fit.

- input factor: the row's distribution (see `hginventory.core.distributions`; by default a split
  lognormal with the Toolkit default as median and the low/high range as 2.5th/97.5th
  percentiles), times the electrification scaling of the row;
- activity rate: exact, or, with `uncertainty_pct` = U in the activity sheet, a gamma
  distribution with mean = the activity rate and coefficient of variation U/196 (for small U its
  95 % interval is +-U %, as in the IPCC convention; it never goes below zero);
- distribution factors: Dirichlet around the Toolkit defaults, alpha_p = concentration x share_p.
  Each draw is a partition of 1 (shares are normalised gamma draws), shares that are zero stay
  zero and a single pathway at 1 stays 1. The mean share is the default; concentration 100
  gives a share of 0.5 a standard deviation of 0.05;
- outputs per draw: Hg input x share; then the double-counting weights of the national totals
  (input_total_weight, release_total_exclude), exactly as for the point estimate.

Approach 1 (IPCC 2006 Vol. 1 Ch. 3, eq. 3.1 and 3.2), for comparison, assuming independence:
U is the half-width of the 95 % interval in per cent of the point estimate, the larger side for
asymmetric distributions (U = max(x - q2.5, q97.5 - x) / x). Per sub-category
U_row = sqrt(U_activity^2 + U_factor^2); distribution factors are taken as exact. A sum of rows
(group, pathway, national total) has U = sqrt(sum (U_i x_i)^2) / sum x_i. The interval is
x (1 - U) to x (1 + U), cut at zero.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hginventory.core.columns import OUTPUT_COLUMNS, PATHWAYS
from hginventory.core.distributions import describe, ppf, resolve
from hginventory.core.errors import HginvError
from hginventory.core.i18n import gettext as _
from hginventory.core.numbers import COUNT, format_number
from hginventory.engine.inventory import Inventory

DEFAULT_DRAWS = 10_000


MEMORY_BUDGET = 256 * 2**20
"""Bytes the Monte Carlo may hold at once (with the rest of a run, a process stays under about
500 MB): 100,000 draws of the bundled Level 2 example take about 190 MB."""


SLICE_VALUES = 2**20
"""Values (8 bytes each) of one slice of random numbers or of one block of result rows."""


DEFAULT_SEED = 20_211_013


DEFAULT_CONCENTRATION = 100.0


QUANTITIES = ["hg_input_kg", *OUTPUT_COLUMNS, "releases_kg"]


CSV_QUANTITIES = ["hg_input_kg", *OUTPUT_COLUMNS]


STATS = ["mean", "median", "p025", "p975"]


@dataclass
class UncertaintyResult:
    """Monte Carlo statistics and Approach 1 intervals of one inventory.

    `summary` has one row per (level, key, quantity): level is `total` (national totals per
    pathway, counted as in the summary), `group` (source group, counted) or `sub_category`
    (the calculated row, before the double-counting adjustments). `total_draws` holds every
    draw of the national totals (columns: QUANTITIES) for further analysis.
    """

    draws: int
    seed: int
    concentration: float
    summary: pd.DataFrame
    factors: pd.DataFrame
    total_draws: pd.DataFrame
    metadata: dict = field(default_factory=dict)

    def table(self, level: str) -> pd.DataFrame:
        return self.summary[self.summary["level"] == level].reset_index(drop=True)

    def extend_csv(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Append `<quantity>_p025` and `<quantity>_p975` to the CSV rows (one per code)."""
        rows = self.table("sub_category")
        out = frame.copy()
        for q in CSV_QUANTITIES:
            stats = rows[rows["quantity"] == q].set_index("key")
            keys = row_keys(out)
            out[f"{q}_p025"] = keys.map(stats["p025"]).to_numpy()
            out[f"{q}_p975"] = keys.map(stats["p975"]).to_numpy()
        return out


def row_keys(frame: pd.DataFrame) -> pd.Series:
    """One key per result row: the code, with the facility name for Level 2 rows."""
    if "facility" not in frame:
        return frame["code"].astype(str)
    facility = frame["facility"].fillna("").astype(str)
    return frame["code"].astype(str).where(facility == "", frame["code"] + " " + facility)


def _factor_draws(rows: list[tuple], u: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Input factor draws (draws x rows) from uniform `u` and standard normal `z` draws."""
    out = np.empty_like(u)
    for j, (kind, a, b, c) in enumerate(rows):
        if kind == "splitlognormal":
            zj = z[:, j]
            out[:, j] = a * np.exp(zj * np.where(zj < 0, b, c))
        elif kind == "triangular":
            uj = u[:, j]
            if c == a:
                out[:, j] = a
                continue
            cut = (b - a) / (c - a)
            low = a + np.sqrt(uj * (c - a) * (b - a))
            high = c - np.sqrt((1 - uj) * (c - a) * (c - b))
            out[:, j] = np.where(uj < cut, low, high)
        elif kind == "uniform":
            out[:, j] = a + u[:, j] * (b - a)
        else:
            out[:, j] = a
    return out


class UncertaintyError(HginvError):
    """The Monte Carlo asked for would not fit its memory budget: a usage error."""

    exit_code = 2


def _slices(draws: int, width: int):
    """Consecutive slices of the draws, each of about SLICE_VALUES values of `width` columns.
    A NumPy generator fills an array in order, so drawing slice after slice gives the numbers
    of one draw of the whole array."""
    step = max(1, SLICE_VALUES // max(width, 1))
    for start in range(0, draws, step):
        yield slice(start, min(start + step, draws))


def _input_draws(r: pd.DataFrame, factors, specs, draws: int, rng) -> np.ndarray:
    """Hg input draws (draws x rows): the point estimate x the relative factor draw x the
    activity draw. Uniforms, then normals, then activity gammas are drawn, each in slices,
    as `rng.random((draws, n))`, `rng.standard_normal((draws, n))` and the gammas would be."""
    n = len(r)
    out = np.empty((draws, n))
    by_u = [j for j, s in enumerate(specs) if s[0] in ("triangular", "uniform")]
    by_z = [j for j, s in enumerate(specs) if s[0] == "splitlognormal"]
    drawn = set(by_u) | set(by_z)
    fixed = [j for j in range(n) if j not in drawn]
    for cols, draw in ((by_u, rng.random), (by_z, rng.standard_normal)):
        chosen = [specs[j] for j in cols]
        for part in _slices(draws, n):
            x = draw((part.stop - part.start, n))[:, cols]
            if cols:
                out[part, cols] = _factor_draws(chosen, x, x)
    for j in fixed:
        out[:, j] = specs[j][1]
    # Draws relative to each row's point estimate: a Level 2 facility row keeps the relative
    # spread of its sub-category's factor, a measured row is taken as exact.
    point_factor = np.array([factors[code].input_factor for code in r["code"]], dtype=float)
    positive = point_factor > 0
    for part in _slices(draws, n):
        block = out[part]
        np.divide(block, point_factor, out=block, where=positive)
        block[:, ~positive] = 1.0
        if "method" in r:
            block[:, (r["method"] == "measured").to_numpy()] = 1.0
        np.multiply(r["hg_input_kg"].to_numpy(float), block, out=block)
    pct = _activity_pct(r)
    uncertain = np.flatnonzero(np.nan_to_num(pct) > 0)
    if len(uncertain):
        shape = (1.96 / (pct[uncertain] / 100.0)) ** 2
        for part in _slices(draws, len(uncertain)):
            size = (part.stop - part.start, len(uncertain))
            out[part, uncertain] *= rng.standard_gamma(shape, size=size) / shape
    return out


def _dirichlet_gammas(shares: np.ndarray, concentration: float, draws: int, rng):
    """The gamma draws of the Dirichlet (draws x split-row pathways), drawn in slices as one
    `rng.standard_gamma` call would draw them; None when nothing is drawn."""
    if math.isinf(concentration):
        return None
    positive = shares > 0
    split = positive.sum(axis=1) > 1
    rows, paths = np.nonzero(positive & split[:, None])
    if not len(rows):
        return None
    alpha = concentration * shares[rows, paths]
    out = np.empty((draws, len(rows)))
    for part in _slices(draws, len(rows)):
        out[part] = rng.standard_gamma(alpha, size=(part.stop - part.start, len(rows)))
    return out


def _shares_of(shares: np.ndarray, concentration: float, gammas, block: slice) -> np.ndarray:
    """Distribution factor draws (draws x block rows x pathways) of rows `block`, from the
    Dirichlet gammas of every row (see `_dirichlet`, which it reproduces a block at a time)."""
    sub = shares[block]
    draws = len(gammas) if gammas is not None else 1
    if math.isinf(concentration) or gammas is None:
        positive = sub > 0
        if math.isinf(concentration):
            return np.broadcast_to(sub, (draws, *sub.shape))
        return np.broadcast_to(positive.astype(float), (draws, *sub.shape))
    positive_all = shares > 0
    split_all = positive_all.sum(axis=1) > 1
    first = int((positive_all[: block.start] & split_all[: block.start, None]).sum())
    positive, split = positive_all[block], split_all[block]
    out = np.zeros((draws, *sub.shape))
    single = np.flatnonzero(~split)
    out[:, single, :] = positive[single]
    rows, paths = np.nonzero(positive & split[:, None])
    if len(rows):
        part = np.zeros((draws, int(split.sum()), sub.shape[1]))
        index = np.cumsum(split) - 1
        part[:, index[rows], paths] = gammas[:, first : first + len(rows)]
        part /= part.sum(axis=2, keepdims=True)
        out[:, np.flatnonzero(split), :] = part
    return out


def _held_per_draw(inv: Inventory) -> int:
    """Values kept for every draw: each row's Hg input, the Dirichlet gammas, the group and
    national totals."""
    r = inv.results
    positive = r[list(PATHWAYS)].to_numpy(float) > 0
    gammas = int((positive & (positive.sum(axis=1) > 1)[:, None]).sum())
    return len(r) + gammas + len(QUANTITIES) * (r["group_name"].nunique() + 1)


def _bytes(draws: int, held: int) -> int:
    # and one block's outputs, quantities, counted quantities and the statistics' copies
    return 8 * (draws * held + 6 * max(SLICE_VALUES, draws * len(QUANTITIES)))


def memory_needed(inv: Inventory, draws: int) -> int:
    """Bytes `run_uncertainty` holds at once for `draws` draws of `inv` (a slight
    over-estimate)."""
    return _bytes(draws, _held_per_draw(inv))


def check_memory(inv: Inventory, draws: int) -> None:
    """Refuse, before any draw, a Monte Carlo that would hold more than MEMORY_BUDGET, naming
    the most draws that fit."""
    held = _held_per_draw(inv)
    needed = _bytes(draws, held)
    if needed <= MEMORY_BUDGET:
        return
    low, high = 0, draws  # the most draws that fit: _bytes grows with draws
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if _bytes(mid, held) <= MEMORY_BUDGET else (low, mid - 1)
    raise UncertaintyError(
        _(
            "--draws {draws}: the Monte Carlo of {rows} result rows would hold about {needed} "
            "MB, more than the {budget} MB it may use; give --draws {most} or fewer"
        ).format(
            draws=format_number(draws, COUNT),
            rows=format_number(len(inv.results), COUNT),
            needed=format_number(math.ceil(needed / 2**20), COUNT),
            budget=format_number(MEMORY_BUDGET // 2**20, COUNT),
            most=format_number(low, COUNT),
        )
    )


def _dirichlet(shares: np.ndarray, concentration: float, draws: int, rng) -> np.ndarray:
    """Distribution factor draws (draws x rows x pathways); each draw sums to 1 per row.

    An infinite concentration keeps the default shares in every draw. A row with a single
    pathway keeps it at 1 without drawing (its Dirichlet is degenerate), which halves the work
    for a typical table.
    """
    if math.isinf(concentration):
        return np.broadcast_to(shares, (draws, *shares.shape))
    positive = shares > 0
    split = positive.sum(axis=1) > 1
    out = np.zeros((draws, *shares.shape))
    single = np.flatnonzero(~split)
    out[:, single, :] = positive[single]
    rows, paths = np.nonzero(positive & split[:, None])
    if len(rows):
        gammas = rng.standard_gamma(concentration * shares[rows, paths], size=(draws, len(rows)))
        part = np.zeros((draws, int(split.sum()), shares.shape[1]))
        index = np.cumsum(split) - 1
        part[:, index[rows], paths] = gammas
        part /= part.sum(axis=2, keepdims=True)
        out[:, np.flatnonzero(split), :] = part
    return out


def _u_pct(kind, a, b, c, point) -> float:
    """Approach 1 uncertainty (per cent) of a factor distribution around its point value."""
    if kind == "fixed" or point <= 0:
        return 0.0
    lo, hi = ppf(kind, a, b, c, 0.025), ppf(kind, a, b, c, 0.975)
    return 100.0 * max(point - lo, hi - point) / point


def _activity_pct(results: pd.DataFrame) -> np.ndarray:
    """Activity uncertainty in per cent per row (NaN: exact), also for results without it."""
    if "uncertainty_pct" not in results:
        return np.full(len(results), np.nan)
    return results["uncertainty_pct"].to_numpy(float)


def simulate(inv: Inventory, draws: int, seed: int, concentration: float) -> dict:
    """All draws: per-row input (draws x rows) and outputs (draws x rows x pathways); for tests
    and analyses of a few rows (`run_uncertainty` summarises without holding the outputs)."""
    r = inv.results
    rng = np.random.default_rng(seed)
    specs = [resolve(inv.factors[code]) for code in r["code"]]
    hg_input = _input_draws(r, inv.factors, specs, draws, rng)
    shares = _dirichlet(r[list(PATHWAYS)].to_numpy(float), concentration, draws, rng)
    outputs = hg_input[:, :, None] * shares
    return {"specs": specs, "hg_input": hg_input, "outputs": outputs}


def _stats(x: np.ndarray) -> dict[str, np.ndarray]:
    """Mean and percentiles of each column of x (draws x quantities).

    Columns that are the same in every draw (a pathway a row never uses) are not sorted:
    that is most columns of a national inventory.
    """
    t = np.ascontiguousarray(x.T)  # partitioning along contiguous rows is several times faster
    varying = (t != t[:, :1]).any(axis=1)
    varies = np.flatnonzero(varying)
    out = {k: t[:, 0].copy() for k in STATS}
    out["mean"][varies] = t[varies].mean(axis=1)
    if len(varies):
        q = np.quantile(t[varies], [0.025, 0.5, 0.975], axis=1)
        out["p025"][varies], out["median"][varies], out["p975"][varies] = q
    return out


def _stats_by_block(x: np.ndarray, out: dict[str, np.ndarray], at: int = 0) -> None:
    """`_stats` of the columns of x (draws x quantities) a block at a time (the same numbers:
    each column's statistics are its own), written into `out` from column `at`."""
    step = max(1, SLICE_VALUES // max(len(x), 1))
    for start in range(0, x.shape[1], step):
        stop = min(start + step, x.shape[1])
        block = _stats(x[:, start:stop])
        for k in STATS:
            out[k][at + start : at + stop] = block[k]


def _approach1(values: np.ndarray, u_rows: np.ndarray, members: np.ndarray) -> np.ndarray:
    """U% of sums: values (rows x quantities), members (rows x sets) -> (sets x quantities)."""
    absolute = np.sqrt(members.T @ (values * u_rows[:, None]) ** 2)
    total = members.T @ values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, absolute / total, 0.0)


def run_uncertainty(
    inv: Inventory,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    concentration: float = DEFAULT_CONCENTRATION,
) -> UncertaintyResult:
    """Monte Carlo and Approach 1 uncertainty of a computed inventory (plain function)."""
    if draws < 2:
        raise ValueError("at least 2 draws are needed")
    if not concentration > 0:
        raise ValueError("the Dirichlet concentration must be above 0")
    check_memory(inv, draws)
    r = inv.results
    n, nq = len(r), len(QUANTITIES)
    rng = np.random.default_rng(seed)
    specs = [resolve(inv.factors[code]) for code in r["code"]]
    hg_input = _input_draws(r, inv.factors, specs, draws, rng)
    shares = r[list(PATHWAYS)].to_numpy(float)
    gammas = _dirichlet_gammas(shares, concentration, draws, rng)
    weight = r["input_total_weight"].to_numpy(float)
    include = np.array(
        [[p not in ex.split(";") for p in PATHWAYS] for ex in r["release_total_exclude"]], float
    ).reshape(n, len(PATHWAYS))
    groups = list(dict.fromkeys(r.sort_values("group_order", kind="stable")["group_name"]))
    group_of = pd.Index(groups).get_indexer(r["group_name"])
    member = (r["group_name"].to_numpy()[:, None] == np.array(groups)[None, :]).astype(float)
    counting = np.column_stack([weight, include, np.zeros(n)])

    # a block of rows at a time: per row as calculated (draws x rows x quantities), then as
    # counted in the national totals (double-counting weights and exclusions), added row after
    # row, in table order, to its group and to the national total
    stats = {k: np.empty(n * nq + (len(groups) + 1) * nq) for k in STATS}
    group_q = np.zeros((draws, len(groups), nq))
    total_q = np.zeros((draws, nq))
    step = max(1, SLICE_VALUES // (draws * nq))
    for start in range(0, n, step):
        block = slice(start, min(start + step, n))
        outputs = hg_input[:, block, None] * _shares_of(shares, concentration, gammas, block)
        row_q = np.concatenate(
            [hg_input[:, block, None], outputs, outputs.sum(axis=2, keepdims=True)], axis=2
        )
        del outputs
        _stats_by_block(row_q.reshape(draws, -1), stats, start * nq)
        counted = row_q * counting[block]
        counted[:, :, -1] = counted[:, :, 1:-1].sum(axis=2)
        for i, j in enumerate(range(block.start, block.stop)):
            group_q[:, group_of[j], :] += counted[:, i, :]
            total_q += counted[:, i, :]
        del row_q, counted
    del hg_input, gammas
    _stats_by_block(group_q.reshape(draws, -1), stats, n * nq)
    _stats_by_block(total_q, stats, (n + len(groups)) * nq)
    del group_q

    # point estimates (from the deterministic calculation) and Approach 1
    point_rows = np.column_stack(
        [
            r["hg_input_kg"].to_numpy(float),
            r[OUTPUT_COLUMNS].to_numpy(float),
            r[OUTPUT_COLUMNS].to_numpy(float).sum(axis=1),
        ]
    )
    point_counted = np.column_stack(
        [
            point_rows[:, 0] * weight,
            point_rows[:, 1:-1] * include,
            (point_rows[:, 1:-1] * include).sum(axis=1),
        ]
    )
    u_factor = np.array(
        [
            _u_pct(*spec, point=f)
            for spec, f in zip(specs, r["default_input_factor"], strict=True)
        ]
    )
    u_activity = np.nan_to_num(_activity_pct(r))
    u_row = np.sqrt(u_factor**2 + u_activity**2) / 100.0
    u_group = _approach1(point_counted, u_row, member)
    u_total = _approach1(point_counted, u_row, np.ones((len(r), 1)))
    point = np.concatenate(
        [point_rows.ravel(), (member.T @ point_counted).ravel(), point_counted.sum(axis=0)]
    )
    u_all = np.concatenate([np.repeat(u_row, nq), u_group.ravel(), u_total.ravel()])

    labels = (
        [
            ("sub_category", k, s)
            for k, s in zip(row_keys(r), r["sub_category"], strict=True)
            for _ in QUANTITIES
        ]
        + [("group", g, g) for g in groups for _ in QUANTITIES]
        + [("total", "national", "National total")] * nq
    )
    summary = pd.DataFrame(labels, columns=["level", "key", "label"])
    summary["quantity"] = QUANTITIES * (len(r) + len(groups) + 1)
    summary["point"] = point
    for s in STATS:
        summary[s] = stats[s]
    summary["approach1_u_pct"] = 100.0 * u_all
    summary["approach1_low"] = np.maximum(point * (1 - u_all), 0.0)
    summary["approach1_high"] = point * (1 + u_all)

    factors = pd.DataFrame(
        {
            "code": r["code"],
            "sub_category": r["sub_category"],
            "input_factor_distribution": [describe(*s) for s in specs],
            "input_factor_unit": r["input_factor_unit"],
            "factor_u_pct": u_factor,
            "activity_u_pct": _activity_pct(r),
        }
    )
    metadata = {
        "uncertainty_method": "Monte Carlo (Approach 2) + error propagation (Approach 1)",
        "uncertainty_draws": draws,
        "uncertainty_seed": seed,
        "uncertainty_dirichlet_concentration": concentration,
        "uncertainty_numpy_version": np.__version__,
    }
    return UncertaintyResult(
        draws=draws,
        seed=seed,
        concentration=concentration,
        summary=summary,
        factors=factors,
        total_draws=pd.DataFrame(total_q, columns=QUANTITIES),
        metadata=metadata,
    )


def with_uncertainty(inv: Inventory, **options) -> Inventory:
    """A copy of `inv` carrying its uncertainty (and the seed and draws in its metadata)."""
    result = run_uncertainty(inv, **options)
    return dataclasses.replace(
        inv, uncertainty=result, metadata={**inv.metadata, **result.metadata}
    )
