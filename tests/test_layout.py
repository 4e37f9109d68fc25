"""The architecture docs/architecture.md draws: the domain never imports Telegram or the
layers around it, transports are not handlers, and modules stay a readable size."""

from __future__ import annotations

import ast

from tests.conftest import REPO


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_knowledge_package_is_free_of_telegram() -> None:
    """The domain imports neither Telegram nor the layers around it."""
    outer = ("telegram", "handlers", "transports", "runtime")
    for path in sorted((REPO / "knowledge").rglob("*.py")):
        imported = {n for n in imported_modules(path) if n.split(".")[0] in outer}
        assert not imported, f"{path.name} imports {imported}"


TRANSPORTS = {"local_api", "webhook", "console", "delivery"}


def test_transports_are_peers_in_their_own_package_not_handlers() -> None:
    handlers = {path.stem for path in (REPO / "handlers").glob("*.py")}
    transports = {path.stem for path in (REPO / "transports").glob("*.py")}
    assert not handlers & TRANSPORTS
    assert transports >= TRANSPORTS


def test_test_modules_import_support_not_one_another() -> None:
    for path in sorted((REPO / "tests").glob("test_*.py")):
        others = {n for n in imported_modules(path) if n.startswith("tests.test_")}
        assert not others, f"{path.name} imports {others}: move what they share to tests/support"


MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 400
PRODUCT = ("knowledge", "handlers", "transports", "runtime")


def test_no_product_module_or_class_grows_past_a_readable_size() -> None:
    paths = [REPO / "bot.py", REPO / "cli.py"]
    paths += [path for package in PRODUCT for path in (REPO / package).rglob("*.py")]
    for path in paths:
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= MAX_MODULE_LINES, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno < MAX_CLASS_LINES, (path.name, node.name)


def test_the_default_language_is_defined_once() -> None:
    """ "en" as a fallback is ``DEFAULT_LANGUAGE`` everywhere; only its definition (and the
    in-process Bot API, which plays a client set to English) spells it out."""
    allowed = {REPO / "knowledge/i18n/languages.py", REPO / "transports/local_api.py"}
    paths = [REPO / "bot.py", REPO / "cli.py"]
    paths += [path for package in PRODUCT for path in (REPO / package).rglob("*.py")]
    for path in sorted(set(paths) - allowed):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        spelled = [
            n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "en"
        ]
        assert not spelled, f"{path.name}:{spelled} spells the default language out"
