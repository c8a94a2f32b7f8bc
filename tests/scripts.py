"""Load a script of the repository (bench/, circuits/) as a module, so tests exercise the
script's own code path rather than a copy of it."""

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative_path: str, name: str) -> ModuleType:
    """Import ``ROOT / relative_path`` under the module name ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
