"""hginv: national mercury release inventories with the UNEP Toolkit method.

The public API is importable from here; heavy modules (pandas) load only when a name is used,
so that `hginv --help` stays fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "read_activity": "activity",
    "ActivityData": "activity",
    "CountryInfo": "activity",
    "load_factors": "factors",
    "FactorTable": "factors",
    "FactorRow": "factors",
    "compute": "calculate",
    "Inventory": "calculate",
    "write_csv": "report",
    "write_workbook": "report",
    "HginvError": "errors",
    "Problem": "errors",
    "validate_input": "validate",
    "write_template": "template",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f"hginventory.{_API[name]}"), name)
    raise AttributeError(f"module 'hginventory' has no attribute {name!r}")
