"""Data flows one way, read from the imports themselves (lazy ones inside
functions too):

    the shared base (boligsocial/: people, areas, periods, charts, tables, PDF
    rendering, suppression marks)
      → the plan (activities/: plan periods, focus areas, activities, targets)
      → the apps (safety/, advice/: their models and the figures of their data)
      → reports/ (composes figures into dashboards and PDFs)
      → the site (the modules of boligsocial/ that wire every app together).

An import may point down or sideways within its own app, never up, and no two
files import each other, directly or round a circle.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["boligsocial", "activities", "safety", "advice", "reports"]

# The site: modules of boligsocial/ that stand above every app, each for a reason.
SITE = {
    "boligsocial.urls": "mounts every app's pages",
    "boligsocial.views": "each role's start page gathers its work from every app",
    "boligsocial.my_work": "each role's queue gathers what waits for it in every app",
    "boligsocial.search": "the header's search looks in every app",
    "boligsocial.backups": "restores every app's data and reapplies its erasures",
    "boligsocial.management": "demo data and restore for the whole portal",
    "boligsocial.settings": "names every app",
}
RANK = {"base": 0, "activities": 1, "safety": 2, "advice": 2, "reports": 3, "site": 4}


def layer(module: str) -> str:
    app = module.split(".")[0]
    if app != "boligsocial":
        return app
    for site in SITE:
        if module == site or module.startswith(site + "."):
            return "site"
    return "base"


def product_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imports_of(
    module: str, source: str, known: set[str], *, package: bool = False
) -> set[str]:
    """The modules of ours that `source`, the text of `module` (a package's
    __init__ when `package`), imports."""
    home = module.split(".") if package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = home[: len(home) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            found |= {f"{target}.{alias.name}" for alias in node.names}
            found.add(target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return (found & known) - {module}


def import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    known = set(modules)
    return {
        module: imports_of(
            module, path.read_text(), known, package=path.name == "__init__.py"
        )
        for module, path in modules.items()
    }


def arrows_up(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            here, there = layer(module), layer(target)
            if RANK[there] > RANK[here] or (
                RANK[there] == RANK[here] and here != there
            ):
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    return wrong


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more files (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_a_layer_above_it():
    assert arrows_up(import_graph()) == []


def test_no_two_files_import_each_other_even_round_a_circle():
    assert circles(import_graph()) == []


def test_an_app_that_imports_reports_is_caught():
    graph = {"safety.walks.views": {"reports.charts"}, "reports.charts": set()}
    assert arrows_up(graph) == [
        "safety.walks.views (safety) imports reports.charts (reports)"
    ]


def test_the_base_importing_an_app_is_caught_but_the_site_may():
    graph = {
        "boligsocial.models": {"advice.models"},
        "boligsocial.urls": {"advice.urls"},
    }
    assert arrows_up(graph) == [
        "boligsocial.models (base) imports advice.models (advice)"
    ]


def test_two_apps_side_by_side_may_not_import_each_other():
    assert arrows_up({"advice.views": {"safety.models"}}) == [
        "advice.views (advice) imports safety.models (safety)"
    ]


def test_a_circle_of_three_files_is_caught():
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert circles(graph) == [["a.x", "a.y", "a.z"]]


KNOWN = {"safety.walks", "safety.walks.models", "safety.models", "reports.figures"}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("safety.walks.views", "from .models import Walk", {"safety.walks.models"}),
        ("safety.walks.views", "from ..models import Walk", {"safety.models"}),
        (
            "safety.walks.views",
            "from safety.walks import models",
            KNOWN - {"safety.models", "reports.figures"},
        ),
        ("reports.pdf", "def f():\n    from .figures import x", {"reports.figures"}),
        ("reports.pdf", "import reports.figures", {"reports.figures"}),
    ],
)
def test_imports_are_read_relative_to_their_module(module, source, expected):
    assert imports_of(module, source, KNOWN) == expected


def test_a_package_reads_its_relative_imports_from_itself():
    found = imports_of("safety.walks", "from .models import Walk", KNOWN, package=True)
    assert found == {"safety.walks.models"}
