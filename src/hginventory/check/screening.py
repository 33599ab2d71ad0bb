"""Every quality check of an activity workbook at once: the plausibility screens and the
consistency checks (their shared words and codes are in check.quality, which imports neither)."""

from __future__ import annotations

from hginventory.check.consistency import check_consistency
from hginventory.check.plausibility import check_plausibility
from hginventory.core.errors import Problem


def run_checks(activity, factors, screens=None) -> list[Problem]:
    """Every plausibility and consistency problem of `activity` (rows with unknown codes or
    units are left to check_activity)."""
    return check_plausibility(activity, factors, screens) + check_consistency(activity, factors)
