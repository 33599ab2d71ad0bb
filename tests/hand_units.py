"""What a trainer's hand calculation writes out on paper before it starts: the pathways, the
notation keys, and the unit tables (shared by the Level 1 and Level 2 hand calculations; no
hginv import, so that the calculations stay independent of the code they check)."""

PATHWAYS = ["air", "water", "land", "byproducts", "general_waste", "sector_treatment"]
NOTATION = {"NO", "NE", "NA", "IE", "C"}
# activity unit typed in the workbook -> (the factor table's activity unit, multiplier)
ACTIVITY_UNITS = {
    "t": ("t", 1.0),
    "kt": ("t", 1e3),
    "Mt": ("t", 1e6),
    "kg": ("kg", 1.0),
    "Nm3": ("Nm3", 1.0),
    "MNm3": ("Nm3", 1e6),
    "m3": ("m3", 1.0),
    "Mm3": ("m3", 1e6),
    "MWh": ("MWh", 1.0),
    "inhabitants": ("inhabitants", 1.0),
    "corpses": ("corpses", 1.0),
    "vehicles": ("vehicles", 1.0),
}
# input factor unit -> kg of mercury per one activity unit of the factor's unit
KG_PER = {
    "g/t": 1e-3,
    "kg/t": 1.0,
    "kg/kg": 1.0,
    "g/kg": 1e-3,
    "g/inhabitant": 1e-3,
    "g/corpse": 1e-3,
    "g/vehicle": 1e-3,
    "g/MWh": 1e-3,
    "ug/Nm3": 1e-9,
    "mg/m3": 1e-6,
}
