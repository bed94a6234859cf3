"""The package's layout keeps its promises (docs/architecture.md): the maths at the top depends on no subpackage
written for other readers, modules stay small, and start-up imports only what it needs."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet as gn

SRC = Path(gn.__file__).parent
SUBPACKAGES = {"tabular", "formats", "viz", "teach", "integrations", "web", "cli"}
CORE = sorted(p for p in SRC.glob("*.py") if p.name not in ("__init__.py", "sklearn.py")) + sorted(
    (SRC / "layers").glob("*.py"))


def module_level_imports(path: Path) -> set[str]:
    """The glassnet modules and subpackages a module imports when it is loaded (not inside functions), by their
    name under glassnet/."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            inside = path.parent.relative_to(SRC).parts[:max(0, len(path.parent.relative_to(SRC).parts) + 1
                                                                - node.level)]
            parts = [*inside, *(node.module or "").split(".")]
            found.add(parts[0] if parts[0] else "")
            found.update(alias.name for alias in node.names if not node.module and not inside)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("glassnet."):
            found.add(node.module.split(".")[1])
    return found


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(SRC)))
def test_the_maths_imports_no_subpackage_for_other_readers(path):
    assert not module_level_imports(path) & SUBPACKAGES


# what each subpackage may import when it loads (docs/architecture.md draws it)
ALLOWED = {"formats": set(), "teach": set(), "integrations": {"tabular"}, "tabular": set(),
           "viz": {"tabular", "formats"}, "web": {"viz", "tabular", "formats"}, "cli": SUBPACKAGES}


@pytest.mark.parametrize("package", sorted(SUBPACKAGES))
def test_subpackages_depend_on_each_other_one_way(package):
    for path in (SRC / package).glob("*.py"):
        used = module_level_imports(path) & SUBPACKAGES - {package}
        assert used <= ALLOWED[package], f"{path.name} imports {sorted(used - ALLOWED[package])}"


def test_no_module_is_long():
    lengths = {str(p.relative_to(SRC)): len(p.read_text().splitlines()) for p in SRC.rglob("*.py")}
    assert max(lengths.values()) <= 400, sorted(lengths.items(), key=lambda kv: -kv[1])[:3]


def test_subpackages_are_where_the_architecture_page_says():
    page = (SRC.parents[1] / "docs" / "architecture.md").read_text()
    for name in sorted(SUBPACKAGES) + [p.stem for p in CORE]:
        assert f"{name}" in page, name
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == SUBPACKAGES | {"layers"}


@pytest.mark.parametrize("code", ["import glassnet", "from glassnet import cli; cli.build_parser()"])
def test_start_up_imports_no_numpy(code):
    check = f"{code}; import sys; print('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True).stdout.strip() == "False"


def test_public_names_and_modules():
    assert gn.Dense.__module__ == "glassnet.layers.dense" and gn.Dropout.__module__ == "glassnet.layers.dropout"
    assert gn.Model.__module__ == "glassnet.tabular.model" and gn.History.__module__ == "glassnet.history"
    for name in ("schedules", "tabular", "formats", "viz", "teach", "integrations", "constraints", "training"):
        assert getattr(gn, name).__name__ == f"glassnet.{name}"
    from glassnet.sklearn import GlassnetClassifier

    assert GlassnetClassifier.__module__ == "glassnet.integrations.sklearn"
