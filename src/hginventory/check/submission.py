"""Checks of the optional reporting columns of the activity sheet against the activity itself:
a `presence` mark must not contradict what the row says (N beside a number, Y beside NO)."""

from __future__ import annotations

import math

from hginventory.core.errors import Problem
from hginventory.core.i18n import gettext as _


def check_reporting(activity) -> list[Problem]:
    """Contradictions between a row's `presence` mark and its activity, each at its cell."""
    problems: list[Problem] = []
    rows = activity.rows
    if not isinstance(rows, list):  # a batch's rows kept as columns carry no reporting fields
        return problems
    for row in rows:
        mark = row.get("presence", "")
        if not mark:
            continue
        value = row.get("activity")
        quantified = value is not None and not math.isnan(value)
        where = {
            "file": str(activity.path),
            "sheet": row.get("sheet", "activity"),
            "cell": row.get("presence_cell", ""),
            "found": mark,
        }
        if mark == "N" and quantified:
            problems.append(
                Problem(
                    _("presence of {code} is N but an activity rate is given").format(
                        code=row["code"]
                    ),
                    expected=_("Y (or delete the activity rate, or write NO)"),
                    code="presence-n-with-activity",
                    **where,
                )
            )
        elif mark != "N" and row.get("notation") == "NO":
            problems.append(
                Problem(
                    _("presence of {code} is {mark} but the activity says NO").format(
                        code=row["code"], mark=mark
                    ),
                    expected=_("N, or an activity rate instead of NO"),
                    code="presence-contradicts-no",
                    **where,
                )
            )
    return problems
