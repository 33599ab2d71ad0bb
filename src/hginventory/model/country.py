"""A country as messages name it and as two inputs are compared (accents, case, spaces)."""

from __future__ import annotations

import unicodedata


def country_key(name: str | None) -> str:
    """A country name as compared: Unicode NFC (an accent typed as one character or as two),
    case and runs of spaces ignored."""
    text = unicodedata.normalize("NFC", str(name or ""))
    return unicodedata.normalize("NFC", " ".join(text.split()).casefold())


def same_country(country_a, iso3_a, country_b, iso3_b) -> bool:
    """Same iso3 when both give one, else the same name (`country_key`)."""
    iso_a, iso_b = str(iso3_a or "").strip().upper(), str(iso3_b or "").strip().upper()
    if iso_a and iso_b:
        return iso_a == iso_b
    return country_key(country_a) == country_key(country_b)


def country_text(country, iso3) -> str:
    """'Republic of Valdoria (XVL)', for messages naming a country."""
    name = unicodedata.normalize("NFC", str(country or "").strip()) or "?"
    return name + (f" ({str(iso3).strip()})" if iso3 and str(iso3).strip() else "")
