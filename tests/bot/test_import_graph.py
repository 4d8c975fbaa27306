"""The layers, read from the source: no two parts of `bot` import each other (directly or round a
loop), the daily quote and the adapters meet only at the composition root, and `index` knows no `bot`."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _imported(path: Path, root: Path = REPO) -> Iterator[str]:
    """Every module a file imports, at the top or inside a function, absolute or relative (resolved
    against the file's package), named inside the `onrecord` package (`onrecord.bot.slack` is
    `bot.slack`)."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (name.removeprefix("onrecord.") for name in names)


def _part(module: str) -> str | None:
    """The part of `bot` a module belongs to: its subpackage (`bot.slack`) or itself (`bot.settings`)."""
    names = module.split(".")
    return ".".join(names[:2]) if names[0] == "bot" and len(names) > 1 else None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in (REPO / "bot").rglob("*.py"):
        part = _part(".".join(path.relative_to(REPO).with_suffix("").parts))
        assert part is not None
        imported = {_part(module) for module in _imported(path)}
        graph.setdefault(part, set()).update(p for p in imported if p in _parts() and p != part)
    return graph


def _parts() -> set[str]:
    return {
        f"bot.{p.stem}" for p in (REPO / "bot").iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()
    }


def test_no_part_of_bot_imports_itself_round_a_loop() -> None:
    try:
        tuple(TopologicalSorter(_graph()).static_order())
    except CycleError as err:
        raise AssertionError(f"an import cycle: {' -> '.join(reversed(err.args[1]))}") from None


def test_the_daily_quote_and_the_adapters_meet_only_at_the_composition_root() -> None:
    graph = _graph()
    assert not graph["bot.daily"] & {"bot.slack", "bot.discord", "bot.app"}
    for adapter in ("bot.slack", "bot.discord"):
        assert not graph[adapter] & {"bot.app", "bot.slack", "bot.discord"}, adapter
    assert {"bot.slack", "bot.discord", "bot.daily"} <= graph["bot.app"]


def test_the_index_imports_nothing_from_the_bot() -> None:
    for path in (REPO / "index").rglob("*.py"):
        assert not [m for m in _imported(path) if m.split(".")[0] == "bot"], path


def test_relative_imports_are_read_as_the_modules_they_name(tmp_path: Path) -> None:
    adapter = tmp_path / "bot" / "slack"
    adapter.mkdir(parents=True)
    (adapter / "__init__.py").write_text("from .handlers import answer\n")
    (adapter / "handlers.py").write_text("from ..app import run\nfrom . import render\n")
    assert set(_imported(adapter / "__init__.py", tmp_path)) == {
        "bot.slack.handlers",
        "bot.slack.handlers.answer",
    }
    assert {"bot.app", "bot.slack.render"} <= set(_imported(adapter / "handlers.py", tmp_path))
