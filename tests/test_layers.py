"""The floors of server/ never reach up: every import of every module, read with `ast`, against the rules of issue 9.

A form's life sits below review (submissions never imports review); core imports no domain package; places never
imports accounts; and no module takes a private name (`_x`) from another. Imports inside functions count, and
relative imports are resolved to the module they name. Each rule's failure lists every offending import.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.settings import ROOT

SERVER = ROOT / "server"


@dataclass(frozen=True)
class Import:
    """One import in a module: `module` is what it imports from (resolved), `name` the name taken (None: `import`)."""

    path: str
    line: int
    importer: str
    module: str
    name: str | None

    @property
    def target(self) -> str:
        """The dotted name imported: `from a import b` imports a.b (a submodule or a name of a)."""
        return f"{self.module}.{self.name}" if self.name and self.name != "*" else self.module

    def __str__(self) -> str:
        taken = f"from {self.module} import {self.name}" if self.name else f"import {self.module}"
        return f"{self.path}:{self.line}: {self.importer}: {taken}"


def within(dotted: str, package: str) -> bool:
    """Whether a dotted name is the package or lies inside it."""
    return dotted == package or dotted.startswith(package + ".")


def is_private(name: str | None) -> bool:
    """Whether a name is private by convention (`_x`, not a dunder like `__future__`)."""
    return bool(name) and name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# Each rule: (importer, import) -> whether that import breaks it.
RULES = {
    "submissions does not import review": lambda importer, imp: (
        within(importer, "server.submissions") and within(imp.target, "server.review")),
    "core imports no domain package": lambda importer, imp: (
        within(importer, "server.core") and within(imp.target, "server")
        and not (within(imp.target, "server.core") or within(imp.target, "server.extensions"))),
    "places does not import accounts": lambda importer, imp: (
        within(importer, "server.places") and within(imp.target, "server.accounts")),
    "the rule engine imports no other package of server": lambda importer, imp: (
        within(importer, "server.poverty") and within(imp.target, "server") and not within(imp.target, "server.poverty")),
    "only the wiring and the exports import the indicators": lambda importer, imp: (
        within(imp.target, "server.indicators") and not within(importer, "server.indicators")
        and not within(importer, "server.exports") and importer not in ("server", "server.models", "server.cli")),
    "no private name is imported from another module": lambda importer, imp: (
        is_private(imp.name) or any(is_private(part) for part in imp.module.split(".")[1:])),
}


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted name of a source file under the repository root, and whether it is a package's __init__."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def imports_of(source: str, importer: str, is_package: bool, path: str = "<string>") -> list[Import]:
    """Every import statement of a module's source, at any depth (inside functions too), relative ones resolved."""
    out = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            out += [Import(path, node.lineno, importer, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = importer.split(".") if is_package else importer.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([module] if module else []))
            out += [Import(path, node.lineno, importer, module, alias.name) for alias in node.names]
    return out


def violations(rule: str, found: list[Import]) -> list[str]:
    """The imports that break a rule, as `path:line: importer: import` lines."""
    return [str(imp) for imp in found if RULES[rule](imp.importer, imp)]


def server_imports() -> list[Import]:
    """Every import of every module under server/."""
    out = []
    for path in sorted(SERVER.rglob("*.py")):
        name, is_package = module_name(path)
        out += imports_of(path.read_text(encoding="utf-8"), name, is_package, str(path.relative_to(ROOT)))
    return out


@pytest.mark.parametrize("rule", RULES)
def test_no_module_of_server_breaks_the_rule(rule):
    found = violations(rule, server_imports())
    assert found == [], f"{rule}:\n" + "\n".join(found)


def test_the_walker_sees_every_module_and_every_import_form():
    found = server_imports()
    importers = {imp.importer for imp in found}
    assert {"server", "server.core.scoping", "server.places.models", "server.review.views"} <= importers
    # A lazy import inside a function, and a relative import resolved to its absolute name.
    assert any(imp.importer == "server.cli" and imp.module == "server.demo" for imp in found)
    assert any(imp.importer == "server.poverty.rules" and imp.module == "server.poverty.codes" for imp in found)


SYNTHETIC = '''
import server.review.models
from server import review
from server.core import db
from server.extensions import db as database
from . import _private_helper
from ..review.views import _labels, bp
import os._hidden


def lazy():
    from server.accounts.models import ROLES
    import server.places.models
'''


@pytest.mark.parametrize("importer, is_package, rule, expected", [
    ("server.submissions.operations", False, "submissions does not import review", [
        "import server.review.models", "from server import review", "from server.review.views import _labels",
        "from server.review.views import bp"]),
    ("server.core.auth", False, "core imports no domain package", [
        "import server.review.models", "from server import review", "from server.review.views import _labels",
        "from server.review.views import bp", "from server.accounts.models import ROLES",
        "import server.places.models"]),
    ("server.places", True, "places does not import accounts", ["from server.accounts.models import ROLES"]),
    ("server.poverty.classify", False, "the rule engine imports no other package of server", [
        "import server.review.models", "from server import review", "from server.core import db",
        "from server.extensions import db", "from server.review.views import _labels",
        "from server.review.views import bp", "from server.accounts.models import ROLES",
        "import server.places.models"]),
    ("server.places.views", False, "no private name is imported from another module", [
        "from server.places import _private_helper", "from server.review.views import _labels",
        "import os._hidden"]),
])
def test_the_walker_finds_a_synthetic_violation_of_each_rule(importer, is_package, rule, expected):
    found = violations(rule, imports_of(SYNTHETIC, importer, is_package))
    assert [line.split(": ", 2)[2] for line in found] == expected


def test_the_walker_finds_an_import_of_the_indicators_from_below():
    source = "from server.indicators import operations\nimport server.indicators.queries\n"
    rule = "only the wiring and the exports import the indicators"
    found = violations(rule, imports_of(source, "server.review.queue", False))
    assert [line.split(": ", 2)[2] for line in found] == [
        "from server.indicators import operations", "import server.indicators.queries"]
    assert violations(rule, imports_of(source, "server", True)) == []


def rollbacks_in(source: str, path: str = "<string>") -> list[str]:
    """The `….rollback()` calls of a module's source, as `path:line` strings."""
    return [f"{path}:{node.lineno}" for node in ast.walk(ast.parse(source, filename=path))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "rollback"]


def test_only_the_unit_of_work_rolls_back():
    # Views and operations undo a request's work through server.core.requests.undo_request_work, never by hand.
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        if path != SERVER / "core" / "requests.py":
            found += rollbacks_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], "roll back with undo_request_work():\n" + "\n".join(found)
    assert rollbacks_in("def f():\n    db.session.rollback()\n") == ["<string>:2"]


def test_every_web_form_derives_from_the_shared_form():
    # server.core.forms.Form says at its field that a text held a control character; a bare FlaskForm would leave
    # the request to be refused as an error page, its form gone.
    found = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in sorted(SERVER.rglob("*.py"))
             if path != SERVER / "core" / "forms.py"
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef)
             and any(getattr(base, "id", getattr(base, "attr", None)) == "FlaskForm" for base in node.bases)]
    assert found == [], "derive from server.core.forms.Form:\n" + "\n".join(found)
