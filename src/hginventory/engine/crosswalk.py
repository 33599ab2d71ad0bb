"""Summaries of an inventory by Minamata Annex D category or NFR code."""

from __future__ import annotations

from hginventory.tables.crosswalk import (
    ANNEX_D,
    BY_CHOICES,
    NO_NFR,
    NOT_ANNEX_D,
    Link,
    link_for,
    load_crosswalk,
    nfr_sort_key,
)


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
    keys = [k for k in order if k in records] if order else sorted(records, key=nfr_sort_key)
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
