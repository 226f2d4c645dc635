"""The package's boundaries: only `searchidx.engines` imports an engine library, the CLI starts without
one, and every public name says what it is."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import searchidx

PACKAGE = Path(searchidx.__file__).parent
BLOCKED = "import sys; sys.modules['whoosh'] = None\n"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_engines_import_whoosh() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    outside = [p.relative_to(PACKAGE) for p in modules if "whoosh" in _imports(p) and "engines" not in p.parts]
    assert outside == []
    assert any("whoosh" in _imports(p) for p in modules)  # the scan sees imports at all


@pytest.mark.parametrize(("code", "expected"), [
    ("import searchidx.cli, searchidx.query.parse, searchidx.backend\nprint('imported')", "imported"),
    ("sys.argv = ['searchidx', '--help']\nfrom searchidx.cli import main\nmain()", "Usage: searchidx"),
    ("sys.argv = ['searchidx', 'search', '--help']\nfrom searchidx.cli import main\nmain()", "--facet"),
    ("sys.argv = ['searchidx', 'analyze', 'Les États-Unis']\nfrom searchidx.cli import main\nmain()", "etat"),
    ("from searchidx.query.parse import parse\nprint(parse('otan -genève').root)", "must_not=(Word("),
])
def test_no_engine_is_loaded_to_start(code: str, expected: str) -> None:
    done = subprocess.run([sys.executable, "-c", BLOCKED + code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for name in searchidx.__all__:
        obj = getattr(searchidx, name)
        if isinstance(obj, str):
            continue
        doc = inspect.getdoc(obj) or ""
        if not doc or doc.startswith(f"{name}("):  # a dataclass without one gets its signature
            missing.append(name)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                func = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
                if not attr.startswith("_") and callable(func) and not (func.__doc__ or "").strip():
                    missing.append(f"{name}.{attr}")
    assert missing == []
