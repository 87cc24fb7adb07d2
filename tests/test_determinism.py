"""Determinism: the same graph, written in a different order, gives byte-identical outputs.

Each graph (tests/data/mini and a generated 200-component graph) is written
as a folder twice: once as given, once with the files created in another
order and the entries of every list section (countries, blocs, suppliers,
components, sectors) shuffled and dealt to the files differently (same file
names). Every JSON and CSV output of the analyses must match byte for byte;
``validate`` must match except for the file:line of its warnings, which move
with the entries. A third copy, identical but created in reverse order,
must match everything, table output included.
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from chainmap.cli.app import app
from chainmap.model.reader import read_file

runner = CliRunner()
MINI = Path(__file__).parent / "data" / "mini" / "graph.yaml"
LISTS = ("countries", "blocs", "sectors", "components", "suppliers")
FILES = ("settings.yaml", "places/countries.yaml", "firms.json", "parts/a.yaml", "parts/b.yml", "parts/c/d.yaml")


def random_graph(n_components: int = 200, seed: int = 20240611) -> dict[str, Any]:
    """A valid graph: 8 countries, 40 suppliers, ``n_components`` components with AND/OR requirements and cycles."""
    rng = random.Random(seed)
    countries = ["CN", "US", "JP", "NL", "DE", "KR", "TW", "AU"]
    suppliers = [{"id": f"firm-{i:02d}", "name": f"Firm {i}", "country": rng.choice(countries), "source": "generated"}
                 for i in range(40)]
    suppliers[0]["country"] = "CN"
    domestic = [s["id"] for s in suppliers if s["country"] == "CN"]
    ids = [f"part-{i:03d}" for i in range(n_components)]
    components = []
    for i, cid in enumerate(ids):
        requires: list[Any] = []
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            lower = ids[: max(i, 1)] if rng.random() < 0.9 else ids  # mostly a DAG, with a few cycles
            if rng.random() < 0.3:
                requires.append({"any_of": sorted(set(rng.sample(lower, min(len(lower), rng.randint(1, 3)))))})
            else:
                requires.append(rng.choice(lower))
        entries = []
        count = rng.randint(0 if requires else 1, 3)
        for _ in range(count):
            share = round(rng.uniform(0.05, 1.0) / count, 3)
            if rng.random() < 0.6:
                entries.append({"supplier": rng.choice(suppliers)["id"], "share": share, "source": "generated"})
            else:
                entries.append({"country": rng.choice(countries), "share": share, "source": "generated",
                                "estimate": True})
        comp: dict[str, Any] = {"id": cid, "name": f"Part {i}", "sector": f"{rng.randint(13, 43)}"}
        if requires:
            comp["requires"] = requires
        if entries:
            comp["suppliers"] = entries
        if rng.random() < 0.3:
            comp["alternatives"] = [{"supplier": rng.choice(domestic), "readiness": round(rng.random(), 2),
                                     "source": "generated"}]
        if rng.random() < 0.5:
            comp["value"] = round(rng.uniform(0.1, 10), 2)
        if rng.random() < 0.5:
            comp["stock_days"] = rng.randint(0, 365)
            comp["recovery_days"] = rng.randint(1, 1000)
        components.append(comp)
    top = ids[-40:]
    sectors: dict[str, list[str]] = {}
    for cid in top:
        sectors.setdefault(next(c["sector"] for c in components if c["id"] == cid), []).append(cid)
    return {
        "chainmap": {"home": "CN"},
        "countries": [{"id": c, "name": f"Country {c}", "risk": 0.0 if c == "CN" else round(rng.random(), 2),
                       "source": "generated"} for c in countries],
        "blocs": [{"id": "west", "name": "West", "members": ["US", "NL", "DE", "AU"], "source": "generated"},
                  {"id": "east-asia", "name": "East Asia", "members": ["JP", "KR", "TW"], "source": "generated"}],
        "sectors": [{"code": code, "name": f"Division {code}", "products": products, "source": "generated"}
                    for code, products in sorted(sectors.items())],
        "components": components,
        "suppliers": suppliers,
    }


GRAPHS = {
    "mini": read_file(MINI).data,  # YAML 1.2: NO is Norway
    "random200": random_graph(),
}


def deal(data: dict[str, Any], rng: random.Random | None, across: bool = True) -> dict[str, dict[str, Any]]:
    """Spread ``data`` over FILES: in order (rng None), or shuffled and (``across``) dealt to other files."""
    files: dict[str, dict[str, Any]] = {name: {} for name in FILES}
    files["settings.yaml"]["chainmap"] = data.get("chainmap", {"home": "CN"})
    homes = {"countries": ["places/countries.yaml"], "blocs": ["places/countries.yaml"], "suppliers": ["firms.json"],
             "sectors": ["parts/c/d.yaml"], "components": ["parts/a.yaml", "parts/b.yml", "parts/c/d.yaml"]}
    for section in LISTS:
        items = [json.loads(json.dumps(item)) for item in data.get(section, [])]
        targets = homes[section]
        placed = [targets[index * len(targets) // len(items)] for index in range(len(items))]
        if rng is not None:
            order = list(range(len(items)))
            rng.shuffle(order)
            items, placed = [items[i] for i in order], [placed[i] for i in order]
            if across:
                targets = [*targets, "parts/a.yaml", "firms.json"]
                placed = [targets[rng.randrange(len(targets))] for _ in items]
        for item, name in zip(items, placed, strict=True):
            files[name].setdefault(section, []).append(item)
    return files


def write_folder(root: Path, files: dict[str, dict[str, Any]], order: list[str]) -> Path:
    root.mkdir(parents=True)
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        content = files[name]
        if name.endswith(".json"):
            path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def target_of(data: dict[str, Any]) -> str:
    return str(data["sectors"][0]["products"][0])


def commands(data: dict[str, Any]) -> list[list[str]]:
    target = target_of(data)
    foreign = next(c["id"] for c in data["countries"] if c["id"] != "CN")
    out: list[list[str]] = []
    for fmt in ("json", "csv"):
        out += [
            ["spof", "--format", fmt],
            ["spof", "--format", fmt, "--kind", "component", "--remove", foreign],
            ["cuts", "--target", target, "--max-order", "2", "--format", fmt],
            ["cuts", "--target", target, "--kind", "supplier", "--kind", "country", "--format", fmt],
            ["bottlenecks", "--format", fmt],
            ["priorities", "--format", fmt],
            ["simulate", "--remove", foreign, "--limit", "CN=0.5", "--format", fmt],
            ["selfsufficiency", "--format", fmt],
        ]
    return out


def run(folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Run with the folder as working directory and ``.`` as path, so file names print alike."""
    monkeypatch.chdir(folder)
    result = runner.invoke(app, [args[0], ".", *args[1:]], catch_exceptions=False)
    assert result.exit_code in (0, 1), (args, result.output)
    return result.output


@pytest.fixture(scope="module", params=sorted(GRAPHS))
def copies(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, str]:
    """(a) in order; (b) shuffled and dealt across files, created in another order; (c) = (a) created in reverse."""
    name = request.param
    data = GRAPHS[name]
    base = tmp_path_factory.mktemp(f"determinism-{name}")
    plain = deal(data, None)
    a = write_folder(base / "a", plain, list(FILES))
    b = write_folder(base / "b", deal(data, random.Random(7)), random.Random(3).sample(list(FILES), len(FILES)))
    c = write_folder(base / "c", plain, list(reversed(FILES)))
    return a, b, c, name


def test_generated_graph_validates_cleanly(copies: tuple[Path, Path, Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, _, name = copies
    data = json.loads(run(a, ["validate", "--format", "json"], monkeypatch))
    assert data["components"] == len(GRAPHS[name]["components"])
    if name == "random200":
        assert data["warnings"] == 0
        assert json.loads(run(a, ["spof", "--format", "json"], monkeypatch)), "the generated graph has SPOFs to order"


def test_analyses_byte_identical_when_shuffled(copies: tuple[Path, Path, Path, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _, name = copies
    differ = []
    for args in commands(GRAPHS[name]):
        if run(a, args, monkeypatch) != run(b, args, monkeypatch):
            differ.append(" ".join(args))
    assert not differ, f"outputs depend on file or entry order: {differ}"


def test_validate_totals_identical_when_shuffled(copies: tuple[Path, Path, Path, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Totals match; per-division coverage counts the components *written in a division's file*, so it moves."""
    a, b, _, _ = copies
    data_a = json.loads(run(a, ["validate", "--format", "json"], monkeypatch))
    data_b = json.loads(run(b, ["validate", "--format", "json"], monkeypatch))
    assert len(data_a.pop("warning_list")) == len(data_b.pop("warning_list"))
    assert [row["code"] for row in data_a.pop("coverage")] == [row["code"] for row in data_b.pop("coverage")]
    assert data_a == data_b


def test_validate_identical_when_entries_shuffled_within_files(copies: tuple[Path, Path, Path, str], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, _, name = copies
    shuffled = write_folder(tmp_path / "s", deal(GRAPHS[name], random.Random(11), across=False), list(FILES)[::-1])
    data_a = json.loads(run(a, ["validate", "--format", "json"], monkeypatch))
    data_s = json.loads(run(shuffled, ["validate", "--format", "json"], monkeypatch))
    assert len(data_a.pop("warning_list")) == len(data_s.pop("warning_list"))
    assert data_a == data_s
    assert run(a, ["validate", "--format", "csv"], monkeypatch) == run(shuffled, ["validate", "-f", "csv"], monkeypatch)


def test_everything_identical_when_only_creation_order_differs(copies: tuple[Path, Path, Path, str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, c, name = copies
    for args in [["validate"], ["validate", "--format", "json"], ["spof"], ["priorities"], ["simulate"],
                 *commands(GRAPHS[name])[:3]]:
        assert run(a, args, monkeypatch) == run(c, args, monkeypatch), args


def test_repeated_runs_identical(copies: tuple[Path, Path, Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, _, name = copies
    for args in commands(GRAPHS[name])[:8]:
        assert run(a, args, monkeypatch) == run(a, args, monkeypatch), args


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.skipif(not _has("chainmap.render.html"), reason="chainmap render not built yet")
def test_render_html_byte_identical_when_shuffled(copies: tuple[Path, Path, Path, str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _, _ = copies
    pages = []
    for folder, out in ((a, tmp_path / "a.html"), (b, tmp_path / "b.html")):
        run(folder, ["render", "-o", str(out)], monkeypatch)
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


@pytest.mark.skipif(not _has("chainmap.io.exporters"), reason="chainmap export not built yet")
@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "cytoscape", "csv"])
def test_export_byte_identical_when_shuffled(copies: tuple[Path, Path, Path, str], tmp_path: Path, fmt: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _, _ = copies
    outputs = []
    for label, folder in (("a", a), ("b", b)):
        out = tmp_path / label
        out.mkdir()
        run(folder, ["export", "-f", fmt, "-o", str(out / f"graph.{fmt}")], monkeypatch)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
