"""Habits of the code base checked from its source: every public definition has a docstring,
and the package's modules import each other without a cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "trendscore"

#: TEMPORARY: public definitions in the job-runner files being rewritten on another branch
#: (issue 15); the rewrite gives them docstrings. Empty this set after that merge.


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def undocumented(tree: ast.Module) -> list[str]:
    """Qualified names of the public functions, classes and methods of ``tree`` without a
    docstring. Public: the name and every enclosing class name start without ``_``; functions
    nested in functions are private to them and not walked."""
    missing: list[str] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if child.name.startswith("_"):
                continue
            if ast.get_docstring(child) is None:
                missing.append(prefix + child.name)
            if isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")

    walk(tree, "")
    return missing


def test_the_docstring_walker_finds_what_it_should():
    tree = ast.parse(
        "def f(): pass\n"
        "def _g(): pass\n"
        "class A:\n"
        '    """Doc."""\n'
        "    def m(self): pass\n"
        "    def _p(self): pass\n"
        "    class B:\n"
        "        def n(self): pass\n"
        "class _C:\n"
        "    def m(self): pass\n"
        "def h():\n"
        '    """Doc."""\n'
        "    def inner(): pass\n"
    )
    assert undocumented(tree) == ["f", "A.m", "A.B", "A.B.n"]


def test_every_public_definition_has_a_docstring():
    missing = []
    for path in _sources():
        rel = path.relative_to(PACKAGE).as_posix()
        for name in undocumented(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            missing.append(f"trendscore/{rel}: {name}")
    assert not missing, "public definitions without a docstring:\n" + "\n".join(missing)


# ---------------------------------------------------------------- the import graph


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(sources: dict[str, tuple[str, bool]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module-level, function-level) edges between the modules of ``sources`` (module name ->
    (source text, is a package ``__init__``)). Imports under ``if TYPE_CHECKING:`` are not
    edges (they never run); an import inside a function, lambda or method body is
    function-level (it runs on the first call, after every module has loaded)."""
    top: dict[str, set[str]] = {m: set() for m in sources}
    inner: dict[str, set[str]] = {m: set() for m in sources}

    def targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:
            parts = module.split(".") if is_package else module.split(".")[:-1]
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join(parts + ([node.module] if node.module else []))
        # `from . import store` names a module; `from .model import Model` names a module's member
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in sources else base for a in node.names]

    def visit(module: str, is_package: bool, node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in targets(module, is_package, child):
                    if target in sources and target != module:
                        (inner if in_function else top)[module].add(target)
            elif isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING"):
                visit(module, is_package, ast.Module(body=child.orelse, type_ignores=[]), in_function)
            else:
                nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(module, is_package, child, in_function or nested)

    for module, (text, is_package) in sources.items():
        visit(module, is_package, ast.parse(text), False)
    return top, inner


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle of ``graph`` as its modules in import order, starting from the least name
    (one per strongly connected group of modules)."""
    found: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(graph):
        if start in seen:
            continue
        # depth-first search with an explicit path, reporting the first back edge per group
        path: list[str] = []
        on_path: set[str] = set()
        stack = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                seen.add(node)
            elif child in on_path:
                loop = path[path.index(child) :]
                if not any(set(loop) <= set(c) for c in found):
                    found.append(loop)
            elif child not in seen:
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
                on_path.add(child)
    return found


def _package_sources() -> dict[str, tuple[str, bool]]:
    return {_module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in _sources()}


def test_the_import_graph_sees_both_kinds_of_cycle():
    sources = {
        "pkg": ("", True),
        "pkg.a": ("from .b import x\n", False),
        "pkg.b": ("from . import c\n", False),
        "pkg.c": ("import pkg.a\n", False),
        "pkg.d": ("def f():\n    from .e import y\n", False),
        "pkg.e": (
            "from .d import f\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n",
            False,
        ),
    }
    top, inner = import_graph(sources)
    assert cycles(top) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert top["pkg.e"] == {"pkg.d"} and inner["pkg.d"] == {"pkg.e"}
    both = {m: top[m] | inner[m] for m in sources}
    assert cycles(both) == [["pkg.a", "pkg.b", "pkg.c"], ["pkg.d", "pkg.e"]]


def test_no_module_level_import_cycle():
    top, _ = import_graph(_package_sources())
    assert cycles(top) == [], "modules that import each other at load time: " + repr(cycles(top))


def test_no_import_cycle_even_through_function_level_imports():
    # reported apart: such a cycle loads, but the modules still depend on each other
    top, inner = import_graph(_package_sources())
    both = {m: top[m] | inner[m] for m in top}
    assert cycles(both) == [], "modules that depend on each other (some imports inside functions): " + repr(
        cycles(both)
    )


# ---------------------------------------------------------------- one source for defaults


def test_training_defaults_are_the_estimators_signature():
    from trendscore.modeling.classifier import TextThemeClassifier
    from trendscore.modeling.fitting import _settings, defaults

    params = TextThemeClassifier().get_params()
    params.pop("random_state")
    assert defaults() == params
    assert _settings({}) == params
    assert _settings({"calibration_folds": 3, "C": 2.0}) == {**params, "cv": 3, "C": 2.0}
    changed = defaults()
    changed["C"] = 99.0  # each call is a fresh dict: a caller cannot change the defaults
    assert defaults()["C"] == params["C"]


#: train's options that are estimator settings, and the setting each gives
TRAINING_OPTIONS = {
    "segmenter": "segmenter",
    "c": "C",
    "min_df": "min_df",
    "char_ngrams": "char_ngram_min",
    "char_all": "char_all",
    "style": "style",
    "nb_weight": "nb_weight",
    "embedding_dims": "embedding_dims",
    "embedding_weight": "embedding_weight",
    "calibration_folds": "cv",
}


def test_the_train_command_writes_out_no_training_default():
    """The estimator's signature is the one source: each of train's options for a setting has
    no default of its own (None: left to the library) and no value in its help but the one
    read from fitting.defaults()."""
    from trendscore.cli import main
    from trendscore.modeling.fitting import defaults

    options = {p.name: p for p in main.commands["train"].params}
    assert set(TRAINING_OPTIONS) <= set(options)
    assert set(TRAINING_OPTIONS.values()) <= set(defaults())
    for name in TRAINING_OPTIONS:
        assert options[name].default is None, name
        assert not options[name].show_default, name
        assert "{default}" in (options[name].help or ""), name


@pytest.fixture
def other_defaults(monkeypatch):
    """The estimator's defaults as if its signature said C=0.7, min_df=1, 1-2 n-grams, style on."""
    from trendscore.modeling import fitting

    changed = {
        **fitting.defaults(),
        "C": 0.7,
        "min_df": 1,
        "char_ngram_max": 2,
        "style": True,
        "cv": 4,
        "embedding_dims": 99,
    }
    monkeypatch.setattr(fitting, "_defaults", lambda: tuple(changed.items()))
    return changed


def test_train_help_shows_the_estimators_defaults(other_defaults, run):
    help_text = " ".join(run("train", "--help").output.split())
    for shown in ("0.7 with --budget 0", "1 with --budget 0", "2-2 with --budget 0", "on with --budget 0"):
        assert f"[searched; {shown}]" in help_text, shown
    assert "fitted on [4]" in help_text and "PCA dimensions kept [99]" in help_text


def test_train_without_options_fits_the_estimators_defaults(other_defaults, run, tmp_path):
    from conftest import SEEDS

    from trendscore.modeling.model import load_model

    result = run("train", SEEDS / "batch_02_gov.jsonl", "-o", tmp_path / "m", "--budget", "0", "--cv", "0", "-q")
    assert result.exit_code == 0, result.output
    params = load_model(tmp_path / "m").card["params"]
    assert (params["C"], params["min_df"], params["char_ngram_max"], params["style"], params["cv"]) == (
        0.7,
        1,
        2,
        True,
        4,
    )
    given = run("train", SEEDS / "batch_02_gov.jsonl", "-o", tmp_path / "g", "--budget", "0", "--cv", "0", "-q",
                "--C", "0.5", "--no-style", "--calibration-folds", "3")
    assert given.exit_code == 0, given.output
    params = load_model(tmp_path / "g").card["params"]
    assert (params["C"], params["style"], params["cv"], params["min_df"]) == (0.5, False, 3, 1)  # given ones win


# ---------------------------------------------------------------- library messages


def flag_mentions(tree: ast.Module) -> list[tuple[int, str]]:
    """String constants outside docstrings that name a command-line option (``--word``)."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    before_value = set()  # an f-string's parts followed by a value: f"--{name}-column" names an option too
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part, after in zip(node.values, node.values[1:]):
                if isinstance(after, ast.FormattedValue):
                    before_value.add(id(part))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            match = re.search(r"(?<![\w-])--[a-z][a-z-]+", node.value)
            if match:
                found.append((node.lineno, match.group(0)))
            elif id(node) in before_value and re.search(r"(?<![\w-])--$", node.value):
                found.append((node.lineno, "--{...}"))
    return found


def test_flag_mentions_are_found():
    source = '"""Use --doc."""\nx = "try --jobs 2"\ny = f"a {x} --format b"\nz = "a-b --"\nw = f"with --{x}-column"\n'
    tree = ast.parse(source)
    assert flag_mentions(tree) == [(2, "--jobs"), (3, "--format"), (5, "--{...}")]


def test_the_library_never_names_a_command_line_option():
    """Messages and notes of the library speak of settings; options are the CLI's to name
    (an error carries a Hint that the CLI renders with its own option names)."""
    named = []
    for path in _sources():
        if path.name in ("cli.py", "__main__.py"):
            continue
        for line, flag in flag_mentions(ast.parse(path.read_text(encoding="utf-8"))):
            named.append(f"trendscore/{path.relative_to(PACKAGE).as_posix()}:{line}: {flag}")
    assert not named, "library strings that name options:\n" + "\n".join(named)
