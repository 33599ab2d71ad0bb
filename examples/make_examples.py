"""Writes the bundled example activity workbook(s) from the data below.

Valdoria is a fictional country of 18.4 million people with coal power, cement, a mercury-cell
chlor-alkali plant, artisanal gold mining, waste incineration and landfills: every source group
of the Toolkit is touched. Run `python examples/make_examples.py` after changing the data; the
golden results in tests/golden/ then need a deliberate update (see README).
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

VALDORIA_COUNTRY = [
    ("country", "Republic of Valdoria"),
    ("iso3", "XVL"),
    ("year", 2021),
    ("population", 18_400_000),
    ("electrification_rate", 72.5),
]

# code, activity, unit, notes
VALDORIA_ACTIVITY = [
    ("5.1.1", 6_500_000, "t", "Three plants above 300 MW thermal; national energy balance 2021"),
    ("5.1.2", 1_200_000, "t", "Boilers, households, coke ovens; no cement kiln coal"),
    ("5.1.3a", "NO", "t", "No oil production"),
    ("5.1.3b", 4_800_000, "t", "One refinery, crude throughput"),
    ("5.1.3c", 850_000, "t", ""),
    ("5.1.3d", 3_900_000, "t", "Diesel, gasoline, kerosene and LPG sales"),
    ("5.1.4a", "NO", "Nm3", ""),
    ("5.1.4b", "NO", "Nm3", ""),
    ("5.1.4c", 2_100, "MNm3", "Imported pipeline gas, million Nm3"),
    ("5.1.5", "NO", "t", ""),
    ("5.1.6a", 2_600_000, "t", "Bagasse and wood in power and heat plants"),
    ("5.1.6b", 540, "kt", "Household charcoal, survey 2019 extrapolated"),
    ("5.1.7", "NO", "MWh", ""),
    ("5.2.1", "NO", "t", ""),
    ("5.2.2a", 1_800, "kg", "Whole-ore amalgamation, northern districts (ASGM baseline)"),
    ("5.2.2b", 4_200, "kg", "Concentrate amalgamation without retorts"),
    ("5.2.2c", 900, "kg", "Concentrate amalgamation with retorts (pilot cooperatives)"),
    ("5.2.3", "NE", "t", "Zinc smelter data requested"),
    ("5.2.4", 310_000, "t", "Copper concentrate smelted"),
    ("5.2.5", "NO", "t", ""),
    ("5.2.6", 2_400_000, "t", "Industrial gold mine, ore processed"),
    ("5.2.7", "NO", "t", ""),
    ("5.2.8", "NE", "t", ""),
    ("5.2.9", 1_100_000, "t", "Pig iron"),
    ("5.3.1", 5_600_000, "t", "Cement produced, four plants"),
    ("5.3.2", 420_000, "t", "Biomass used by the pulp mill"),
    ("5.3.3a", 380_000, "t", ""),
    ("5.3.3b", "NO", "t", ""),
    ("5.4.1a", 48_000, "t", "One mercury-cell plant, chlorine produced"),
    ("5.4.2", "NO", "t", ""),
    ("5.4.3", "NO", "t", ""),
    ("5.4.4", "NE", "kg", ""),
    ("5.4.5", 18_400_000, "inhabitants", "National population"),
    ("5.4.6", 18_400_000, "inhabitants", "National population"),
    ("5.4.7", 18_400_000, "inhabitants", "National population"),
    ("5.4.8", 18_400_000, "inhabitants", "National population"),
    ("5.4.9", "NE", "inhabitants", ""),
    ("5.4.10", "NE", "kg", ""),
    ("5.4.11", "NE", "t", ""),
    ("5.4.12", "NE", "kg", ""),
    ("5.4.13", 12, "t", "Seized skin-lightening creams, customs 2021"),
    ("5.5.1", 18_400_000, "inhabitants", "National population"),
    ("5.5.2", 18_400_000, "inhabitants", "National population"),
    ("5.5.3", 18_400_000, "inhabitants", "National population"),
    ("5.5.4", "NE", "kg", ""),
    ("5.5.5", "NE", "kg", ""),
    ("5.6.1", "NO", "kg", ""),
    ("5.6.2", 35_000, "vehicles", "End-of-life vehicles shredded"),
    ("5.6.3", "NE", "t", ""),
    ("5.7.1", 150_000, "t", "One municipal incinerator in the capital"),
    ("5.7.2", 22_000, "t", ""),
    ("5.7.3", 6_500, "t", "Hospital incinerators"),
    ("5.7.4", "NO", "t", ""),
    ("5.7.5", 144_000, "t", "Open burning, 10 % of uncollected waste (1.44 Mt)"),
    ("5.8.1", 2_900_000, "t", ""),
    ("5.8.2", "NE", "t", ""),
    ("5.8.3", "NE", "t", ""),
    ("5.8.4", 1_300_000, "t", "Uncollected waste dumped"),
    ("5.8.5", 410, "Mm3", "Waste water collected, million m3"),
    ("5.9.1", 21_000, "corpses", ""),
    ("5.9.2", 118_000, "corpses", ""),
]


def write_activity_workbook(path, country, activity) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "country"
    ws.append(["field", "value"])
    for row in country:
        ws.append(list(row))
    ws = wb.create_sheet("activity")
    ws.append(["code", "activity", "unit", "notes"])
    for row in activity:
        ws.append(list(row))
    wb.save(path)
    return Path(path)


if __name__ == "__main__":
    write_activity_workbook(HERE / "valdoria-2021.xlsx", VALDORIA_COUNTRY, VALDORIA_ACTIVITY)
    print("wrote", HERE / "valdoria-2021.xlsx")


# --- Earlier years: a three-year series for `hginv trend` ------------------------------------
#
# The same country in 2015 and 2018, as its focal point would have filled the workbooks then.
# Plausible, documented differences from 2021:
# - population and electrification grow (17.1 M / 64 % in 2015, 17.8 M / 68.9 % in 2018);
# - 2015 gives coal for power in Mt (5.6 Mt), the later years in t (unit conversion);
# - the capital's municipal incinerator (5.7.1) was commissioned in 2017: NO in 2015;
# - the retort pilot of the ASGM cooperatives (5.2.2c) began in 2017: NO in 2015;
# - the household charcoal survey (5.1.6b) was not repeated for 2018: the row is absent, and
#   lime production (5.3.3a) was left blank: both are gaps that `--fill interpolate` fills
#   between 2015 and 2021;
# - activity changes elsewhere: less industrial coal and whole-ore amalgamation, more cement,
#   copper, landfilled waste and waste water over the years.

VALDORIA_YEARS = {
    2015: {
        "country": {"year": 2015, "population": 17_100_000, "electrification_rate": 64.0},
        "activity": {
            "5.1.1": (5.6, "Mt", "Two plants above 300 MW thermal; energy balance 2015"),
            "5.1.2": (1_350_000, "t", "Boilers, households, coke ovens; no cement kiln coal"),
            "5.1.6b": (610, "kt", "Household charcoal, survey 2015"),
            "5.2.2a": (2_400, "kg", "Whole-ore amalgamation, northern districts"),
            "5.2.2b": (3_600, "kg", "Concentrate amalgamation without retorts"),
            "5.2.2c": ("NO", "kg", "Retort pilot started in 2017"),
            "5.2.4": (250_000, "t", "Copper concentrate smelted"),
            "5.3.1": (4_700_000, "t", "Cement produced, three plants"),
            "5.4.1a": (52_000, "t", "One mercury-cell plant, chlorine produced"),
            "5.6.2": (28_000, "vehicles", "End-of-life vehicles shredded"),
            "5.7.1": ("NO", "t", "Municipal incinerator commissioned in 2017"),
            "5.8.1": (2_500_000, "t", ""),
            "5.8.4": (1_500_000, "t", "Uncollected waste dumped"),
            "5.8.5": (350, "Mm3", "Waste water collected, million m3"),
            "5.9.1": (18_000, "corpses", ""),
            "5.9.2": (110_000, "corpses", ""),
        },
        "drop": (),
    },
    2018: {
        "country": {"year": 2018, "population": 17_800_000, "electrification_rate": 68.9},
        "activity": {
            "5.1.1": (6_100_000, "t", "Three plants above 300 MW thermal; energy balance 2018"),
            "5.1.2": (1_280_000, "t", "Boilers, households, coke ovens; no cement kiln coal"),
            "5.2.2a": (2_100, "kg", "Whole-ore amalgamation, northern districts"),
            "5.2.2b": (3_900, "kg", "Concentrate amalgamation without retorts"),
            "5.2.2c": (400, "kg", "Retort pilot cooperatives"),
            "5.2.4": (290_000, "t", "Copper concentrate smelted"),
            "5.3.1": (5_200_000, "t", "Cement produced, four plants"),
            "5.3.3a": ("", "t", "Lime production: figure not received"),
            "5.4.1a": (50_000, "t", "One mercury-cell plant, chlorine produced"),
            "5.6.2": (31_000, "vehicles", "End-of-life vehicles shredded"),
            "5.7.1": (120_000, "t", "Municipal incinerator, first full year"),
            "5.8.1": (2_700_000, "t", ""),
            "5.8.4": (1_400_000, "t", "Uncollected waste dumped"),
            "5.8.5": (380, "Mm3", "Waste water collected, million m3"),
            "5.9.1": (19_500, "corpses", ""),
            "5.9.2": (114_000, "corpses", ""),
        },
        "drop": ("5.1.6b",),
    },
}


def valdoria_year(year: int) -> tuple[list, list]:
    """The country sheet and activity rows of Valdoria in an earlier year (see above)."""
    spec = VALDORIA_YEARS[year]
    fields = spec["country"]
    country = [(name, fields.get(name, value)) for name, value in VALDORIA_COUNTRY]
    population = fields["population"]
    activity = []
    for code, value, unit, notes in VALDORIA_ACTIVITY:
        if code in spec["drop"]:
            continue
        if code in spec["activity"]:
            value, unit, notes = spec["activity"][code]
        elif unit == "inhabitants" and isinstance(value, int):
            value = population
        activity.append((code, value, unit, notes))
    return country, activity


def write_earlier_years() -> None:
    for year in VALDORIA_YEARS:
        path = HERE / f"valdoria-{year}.xlsx"
        write_activity_workbook(path, *valdoria_year(year))
        print("wrote", path)


if __name__ == "__main__":
    write_earlier_years()

# --- Level 2: the same country with its main facilities described one by one -----------------

# The columns of the `facilities` sheet (see README, "Level 2: facilities").
FACILITY_HEADER = [
    "code",
    "facility",
    "activity",
    "unit",
    "capacity",
    "utilisation",
    "input_type",
    "hg_content",
    "hg_content_unit",
    "control",
    "coincinerated_waste_t",
    "measured_input_kg",
    "measured_air_kg",
    "moisture_pct",
    "washed_abroad",
    "notes",
]

# code, facility, activity, unit, capacity, utilisation, input_type, hg_content,
# hg_content_unit, control, coincinerated_waste_t, measured_input_kg, measured_air_kg,
# moisture_pct, washed_abroad, notes
VALDORIA_FACILITIES = [
    (
        "5.1.1",
        "Kessel Bay power station",
        3_000_000,
        "t",
        None,
        None,
        "",
        0.12,
        "mg/kg",
        "coal-esp-wfgd",
        None,
        None,
        None,
        None,
        "",
        "Hg in coal from the plant's 2021 monthly analyses",
    ),
    (
        "5.1.1",
        "Northgate power station",
        2_000_000,
        "t",
        None,
        None,
        "coal-china",
        None,
        "",
        "coal-washing + coal-esp",
        None,
        None,
        None,
        9,
        "yes",
        "Imported washed coal (washed before import; 9 % moisture as received)",
    ),
    (
        "5.1.1",
        "Ridgeview power station",
        1.2,
        "Mt",
        None,
        None,
        "",
        None,
        "",
        "coal-ff",
        None,
        None,
        85,
        None,
        "",
        "Stack measurement campaign 2021 (kg Hg/y)",
    ),
    (
        "5.1.2",
        "Ostrava steelworks boilers",
        400_000,
        "t",
        None,
        None,
        "",
        None,
        "",
        "coal-pm-only",
        None,
        None,
        None,
        None,
        "",
        "Industrial boilers of the steel works",
    ),
    (
        "5.2.2a",
        "Northern districts mining areas",
        1_800,
        "kg",
        None,
        None,
        "",
        None,
        "",
        "asgm-national-average",
        None,
        None,
        None,
        None,
        "",
        "ASGM baseline survey",
    ),
    (
        "5.2.2b",
        "Rio Verde cooperatives",
        1_500,
        "kg",
        None,
        None,
        "",
        None,
        "",
        "asgm-cyanidation-of-tailings",
        None,
        None,
        None,
        None,
        "",
        "Tailings sold to cyanidation plants",
    ),
    (
        "5.3.1",
        "Valcem kiln 1",
        1_800_000,
        "t",
        None,
        None,
        "",
        0.08,
        "g/t",
        "cement-dust-shuttling",
        60_000,
        None,
        None,
        None,
        "",
        "Tyres and solvents co-incinerated",
    ),
    (
        "5.3.1",
        "Valcem kiln 2",
        1_500_000,
        "t",
        None,
        None,
        "",
        None,
        "",
        "cement-dust-recycled",
        None,
        None,
        None,
        None,
        "",
        "",
    ),
    (
        "5.3.1",
        "Sierra Cement",
        1_300_000,
        "t",
        None,
        None,
        "",
        None,
        "",
        "cement-dust-to-cement",
        None,
        210,
        None,
        None,
        "",
        "Plant mass balance of raw materials and fuels",
    ),
    (
        "5.4.1a",
        "Porto Clor",
        None,
        "t",
        60_000,
        80,
        "",
        None,
        "",
        "",
        None,
        950,
        None,
        None,
        "",
        "Mercury consumption from the plant's mass balance",
    ),
    (
        "5.7.1",
        "Capital City incinerator",
        150_000,
        "t",
        None,
        None,
        "",
        None,
        "",
        "inc-pm-acid-gas",
        None,
        None,
        None,
        None,
        "",
        "",
    ),
    (
        "5.7.2",
        "Eastport hazardous waste incinerator",
        22_000,
        "t",
        None,
        None,
        "",
        None,
        "",
        "inc-aci",
        None,
        None,
        12,
        None,
        "",
        "Continuous Hg monitor",
    ),
    (
        "5.7.3",
        "Central hospital incinerator",
        2_500,
        "t",
        None,
        None,
        "",
        None,
        "",
        "inc-none",
        None,
        None,
        None,
        None,
        "",
        "",
    ),
    (
        "5.8.5",
        "Capital waste water plant",
        180,
        "Mm3",
        None,
        None,
        "",
        None,
        "",
        "ww-biological",
        None,
        None,
        None,
        None,
        "",
        "",
    ),
    (
        "5.8.5",
        "Harbour outfall",
        60,
        "Mm3",
        None,
        None,
        "",
        None,
        "",
        "ww-untreated",
        None,
        None,
        None,
        None,
        "",
        "Collected, not treated",
    ),
]


# The reporting fields of issue 26 (all optional): presence, data quality and source of some
# activity rows, the share of 5.1.2's coal burnt in industrial boilers, two potential hot spots.
# code: (presence, data_quality, data_source)
VALDORIA_REPORTING = {
    "5.1.1": ("", "A", "Plant fuel records 2021"),
    "5.1.2": ("", "B", "National energy balance 2021"),
    "5.2.2a": ("", "D", "ASGM baseline survey, expert estimate"),
    "5.2.2b": ("", "C", "Gold sales to the central bank, shares by practice"),
    "5.2.3": ("Y", "", "Zinc smelter operating; data requested"),
    "5.4.1a": ("", "A", "Plant mass balance"),
    "5.4.13": ("", "D", "Customs seizures only"),
    "5.5.4": ("?", "", ""),
}

VALDORIA_BOILERS_SHARE = ("coal_industrial_boilers_share", 40)

HOTSPOT_HEADER = ["site", "type", "location", "status", "notes"]

VALDORIA_HOTSPOTS = [
    (
        "Former Porto Clor cell room (line 1)",
        "closed-chlor-alkali",
        "Porto, industrial zone",
        "closed 2009, not remediated",
        "Soil and sediment of the outfall not sampled",
    ),
    (
        "Rio Verde amalgamation tailings",
        "gold-mining-tailings",
        "Northern districts, Rio Verde valley",
        "active",
        "Tailings sold to cyanidation plants",
    ),
]


def write_level2_workbook(path, country, activity, facilities) -> Path:
    """An activity workbook with a `facilities` sheet (Inventory Level 2), the reporting
    columns on the activity sheet and a `hotspots` sheet."""
    write_activity_workbook(path, [*country, VALDORIA_BOILERS_SHARE], activity)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["activity"]
    for c, name in enumerate(("presence", "data_quality", "data_source"), start=5):
        ws.cell(row=1, column=c, value=name)
    for r in range(2, ws.max_row + 1):
        code = ws.cell(row=r, column=1).value
        for c, value in enumerate(VALDORIA_REPORTING.get(code, ("", "", "")), start=5):
            if value:
                ws.cell(row=r, column=c, value=value)
    ws = wb.create_sheet("facilities")
    ws.append(FACILITY_HEADER)
    for row in facilities:
        ws.append(list(row))
    ws = wb.create_sheet("hotspots")
    ws.append(HOTSPOT_HEADER)
    for row in VALDORIA_HOTSPOTS:
        ws.append(list(row))
    wb.save(path)
    return Path(path)


if __name__ == "__main__":
    write_level2_workbook(
        HERE / "valdoria-2021-level2.xlsx",
        VALDORIA_COUNTRY,
        VALDORIA_ACTIVITY,
        VALDORIA_FACILITIES,
    )
    print("wrote", HERE / "valdoria-2021-level2.xlsx")
