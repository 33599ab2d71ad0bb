"""Probability distributions of input factors, and the checks on their parameters.

A factor row may name its distribution in the optional columns `factor_distribution`, `dist_param1`
and `dist_param2`. The central value is always the row's `input_factor` (the Toolkit default):

- blank or `range` (the default): a two-piece ("split") lognormal whose MEDIAN is the default and
  whose 2.5th and 97.5th percentiles are `input_factor_low` and `input_factor_high`. Each side has
  its own log-scale spread, sigma = ln(default/low)/1.96 below and ln(high/default)/1.96 above,
  because the Toolkit's defaults are rarely the geometric mean of their range. When the default
  is the geometric mean of low and high this is exactly a lognormal. A row without a range, or
  with low = default = high, is treated as exact; a range starting at 0 (no lognormal possible)
  falls back to the triangular distribution (low, default, high).
- `fixed`: no uncertainty.
- `lognormal`: median = default, `dist_param1` = geometric standard deviation (> 1).
- `triangular`: mode = default, `dist_param1` = minimum, `dist_param2` = maximum.
- `uniform`: `dist_param1` = minimum, `dist_param2` = maximum (the default lies in between).

This module needs no NumPy so that loading a factor table stays light; sampling is in
`hginventory.engine.uncertainty`.
"""

from __future__ import annotations

import math

from hginventory.core.i18n import gettext as _

DISTRIBUTIONS = ("", "range", "fixed", "lognormal", "triangular", "uniform")


Z975 = 1.959963984540054


def check_param(distribution: str, which: int, value: float | None, data: dict) -> None:
    """Raise ValueError when parameter `which` (1 or 2) does not fit `distribution`.

    `data` holds the row's fields validated so far (input_factor, dist_param1, ...).
    """
    default = data.get("input_factor")
    p1 = data.get("dist_param1")
    if distribution in ("", "range", "fixed"):
        if value is not None:
            raise ValueError(
                _("distribution {name} takes no {param}").format(
                    name=repr(distribution or "range"), param=f"dist_param{which}"
                )
            )
        return
    if distribution == "lognormal":
        if which == 1 and (value is None or not value > 1):
            raise ValueError(
                _("lognormal needs dist_param1 = geometric standard deviation above 1")
            )
        if which == 2 and value is not None:
            raise ValueError(_("lognormal takes no dist_param2"))
        return
    # triangular and uniform: minimum and maximum around the default
    if value is None:
        raise ValueError(
            _("{name} needs dist_param1 (minimum) and dist_param2 (maximum)").format(
                name=distribution
            )
        )
    if value < 0:
        raise ValueError(_("{name} bounds must be zero or more").format(name=distribution))
    if default is None:
        return
    if which == 1 and value > default:
        raise ValueError(
            _("minimum {value} is above input_factor {default}").format(
                value=f"{value:g}", default=f"{default:g}"
            )
        )
    if which == 2:
        if value < default:
            raise ValueError(
                _("maximum {value} is below input_factor {default}").format(
                    value=f"{value:g}", default=f"{default:g}"
                )
            )
        if p1 is not None and not value > p1:
            raise ValueError(
                _("maximum {value} must be above the minimum {minimum}").format(
                    value=f"{value:g}", minimum=f"{p1:g}"
                )
            )


def resolve(row) -> tuple[str, float, float, float]:
    """The distribution actually used for a factor row: (kind, a, b, c).

    kind is one of fixed, splitlognormal (a = median, b = sigma below, c = sigma above),
    triangular (a = min, b = mode, c = max) or uniform (a = min, b = max).
    """
    d = row.input_factor
    kind = row.factor_distribution or "range"
    if kind == "fixed":
        return "fixed", d, 0.0, 0.0
    if kind == "lognormal":
        s = math.log(row.dist_param1)
        return ("splitlognormal", d, s, s) if d > 0 else ("fixed", d, 0.0, 0.0)
    if kind == "triangular":
        return "triangular", row.dist_param1, d, row.dist_param2
    if kind == "uniform":
        return "uniform", row.dist_param1, row.dist_param2, 0.0
    low, high = row.input_factor_low, row.input_factor_high
    if low is None or high is None or low == high:
        return "fixed", d, 0.0, 0.0
    if low > 0:
        return "splitlognormal", d, math.log(d / low) / Z975, math.log(high / d) / Z975
    return "triangular", low, d, high


def describe(kind: str, a: float, b: float, c: float) -> str:
    """Human-readable distribution, for the workbook."""
    if kind == "splitlognormal":
        if b == c:
            return f"lognormal, median {a:g}, GSD {math.exp(b):.4g}"
        return f"split lognormal, median {a:g}, 95% range {ppf(kind, a, b, c, 0.025):.4g}-" + (
            f"{ppf(kind, a, b, c, 0.975):.4g}"
        )
    if kind == "triangular":
        return f"triangular, min {a:g}, mode {b:g}, max {c:g}"
    if kind == "uniform":
        return f"uniform, min {a:g}, max {b:g}"
    return f"fixed at {a:g}"


def _norm_ppf(q: float) -> float:
    """Standard normal quantile for the two tails used here."""
    if q == 0.5:
        return 0.0
    if abs(q - 0.975) < 1e-12:
        return Z975
    if abs(q - 0.025) < 1e-12:
        return -Z975
    raise ValueError("only the 2.5th, 50th and 97.5th percentiles are tabulated")


def ppf(kind: str, a: float, b: float, c: float, q: float) -> float:
    """Closed-form quantile q of a resolved distribution (used by Approach 1 and tests)."""
    if kind == "splitlognormal":
        z = _norm_ppf(q)
        return a * math.exp(z * (b if z < 0 else c))
    if kind == "triangular":
        if c == a:
            return a
        cut = (b - a) / (c - a)
        if q < cut:
            return a + math.sqrt(q * (c - a) * (b - a))
        return c - math.sqrt((1 - q) * (c - a) * (c - b))
    if kind == "uniform":
        return a + q * (b - a)
    return a


def mean(kind: str, a: float, b: float, c: float) -> float:
    """Closed-form mean of a resolved distribution."""
    if kind == "splitlognormal":
        phi = 0.5 * (1 + math.erf(-b / math.sqrt(2)))
        phi_up = 0.5 * (1 + math.erf(c / math.sqrt(2)))
        return a * (math.exp(b * b / 2) * phi + math.exp(c * c / 2) * phi_up)
    if kind == "triangular":
        return (a + b + c) / 3
    if kind == "uniform":
        return (a + b) / 2
    return a
