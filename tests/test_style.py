"""The code base stays lint-clean and formatted (ruff, configured in pyproject.toml)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_finds_no_lint_errors():
    result = ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def _private_names_defined(tree) -> set[str]:
    """The ``_names`` a module defines itself: functions, classes, and attributes it assigns."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr.startswith("_"):
                        names.add(part.attr)
                    elif isinstance(part, ast.Name) and part.id.startswith("_"):
                        names.add(part.id)
    return names


def _is_own(base) -> bool:
    """``self._x``, ``cls._x``, ``super()._x``: a class using its own (inherited) members."""
    if isinstance(base, ast.Name):
        return base.id in ("self", "cls")
    return isinstance(base, ast.Call) and getattr(base.func, "id", None) == "super"


def test_no_module_reads_another_modules_private_attributes():
    """``obj._name`` is only written where ``_name`` belongs: in the module that defines it
    (a class reading its own instances' state), never across modules."""
    found = []
    for path in sorted((ROOT / "src" / "mlpkit").rglob("*.py")):
        tree = ast.parse(path.read_text())
        own = _private_names_defined(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or "mlpkit" in (node.module or "")):
                private = [
                    a.name for a in node.names if a.name.startswith("_") and a.name[1] != "_"
                ]
                found += [f"{path.relative_to(ROOT)}:{node.lineno}: imports {n}" for n in private]
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__") or node.attr in own or _is_own(node.value):
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert found == [], "\n".join(found)


def test_the_package_has_no_import_circle():
    """Import edges between mlpkit's modules (at any depth, functions included) form no cycle."""
    package = ROOT / "src" / "mlpkit"
    graph, imports = {}, {}
    for path in package.rglob("*.py"):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        is_package = path.name == "__init__.py"
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                edges.add((target, tuple(alias.name for alias in node.names)))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlpkit"):
                edges.add((node.module, tuple(alias.name for alias in node.names)))
        graph[module], imports[module] = set(), edges
    for module, edges in imports.items():
        for target, names in edges:
            submodules = {f"{target}.{name}" for name in names} & graph.keys()
            # "from . import x" imports the submodule x; "from .m import f" the module m
            graph[module] |= submodules if len(submodules) == len(names) else {target}
    graph = {m: {e for e in edges if e in graph and e != m} for m, edges in graph.items()}
    # a package's __init__ re-exporting its children is not a circle with them
    graph = {
        m: {e for e in edges if not (m.startswith(e + ".") and e != "mlpkit")}
        for m, edges in graph.items()
    }
    cycles = []
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "\n".join(cycles)
