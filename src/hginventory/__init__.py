"""hginv: national mercury release inventories with the UNEP Toolkit method.

The public API is importable from here; heavy modules (pandas) load only when a name is used,
so that `hginv --help` stays fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "read_activity": "read.activity",
    "ActivityData": "model.activity",
    "CountryInfo": "model.activity",
    "load_factors": "tables.factors",
    "FactorTable": "tables.factors",
    "FactorRow": "tables.factors",
    "compute": "jobs.compute",
    "compute_many": "jobs.compute",
    "compute_long": "jobs.compute",
    "Inventory": "engine.inventory",
    "write_csv": "write.csv",
    "write_workbook": "write.workbook",
    "HginvError": "core.errors",
    "Problem": "core.errors",
    "validate_input": "jobs.validate",
    "write_template": "write.template",
    "run_batch": "jobs.batch",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f"hginventory.{_API[name]}"), name)
    raise AttributeError(f"module 'hginventory' has no attribute {name!r}")
