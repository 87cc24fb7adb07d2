"""Benchmarks: chainmap beside a networkx reference, at several network sizes.

    python benchmarks/run.py --sizes 10000,100000,1000000        # writes benchmarks/RESULTS.md
    python benchmarks/run.py --sizes 2000 --smoke --out /tmp/r.md # quick check (CI)
    python benchmarks/run.py --cli --sizes 10000,100000,1000000  # only the end-to-end CLI section of RESULTS.md

The full run (the first line) also times every CLI command as a user runs it (``--no-cli`` skips that)
and writes the whole report, CLI table included, with the machine load at measuring time.

For each size a synthetic network is generated once (``chainmap generate``,
cached under ``--data``), then measured in a fresh subprocess (so peak memory,
``ru_maxrss``, is the measurement's own): load, one scenario, SPOF for all
products, country cut sets of order 2 for one product, bottlenecks,
priorities, and the HTML render when ``chainmap.render_html`` exists. The
networkx reference (benchmarks/reference.py) runs in another subprocess with
a time budget per operation (extrapolated past it), and is skipped above
``--ref-max`` components. Order-2 minimal cut sets are also compared with
SCRAM (Open-PSA MEF fault tree) at ``--scram-size`` when ``scram`` is installed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

GOALS = {"load": 3.0, "propagation": 0.3, "scenario": 0.3, "spof": 10.0, "cuts": 30.0, "bottlenecks": 10.0,
         "priorities": 10.0}  # seconds at 1M components (issue 15)
MEMORY_GOAL_MB = 2048
GENERATOR_VERSION = "v2"  # part of the cache folder name: networks cached by an older generator are not reused
SCENARIO_COUNTRY = "US"
OPS = [("load", "load + compile (columnar CSV)"),
       ("propagation", f"one scenario (remove {SCENARIO_COUNTRY}): propagation only"),
       ("scenario", f"one scenario (remove {SCENARIO_COUNTRY}): simulate(), all result rows"),
       ("spof", "SPOF, all products, all kinds"), ("spof_cs", "SPOF, all products, countries + suppliers"),
       ("cuts", "cut sets order 2, countries, one product"), ("bottlenecks", "bottlenecks"),
       ("priorities", "priorities"), ("render", "HTML render")]


# -- children ------------------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pick_target(graph: Any) -> str:
    """A product with a large upstream cone (the largest among the first 50), deterministic."""
    products = graph.products[:50]
    return max(products, key=lambda p: (graph.upstream_of([graph.component_of[p]]).size, p))


def child_generate(n: int, folder: str, seed: int, fmt: str = "csv") -> dict[str, Any]:
    from chainmap.io.generate import write_generated

    start = time.perf_counter()
    write_generated(folder, n, seed, fmt=fmt)
    (Path(folder) / ".complete").write_text("ok")
    return {"seconds": time.perf_counter() - start}


def _warm_files(folder: Path) -> None:
    """Read every file of a network once (page cache warm before the clocks, as for any command after the first:
    both sides then read from memory; a first read from disk would time the disk)."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        with path.open("rb") as handle:
            while handle.read(1 << 22):
                pass


def child_measure(n: int, folder: str) -> dict[str, Any]:
    import chainmap
    from chainmap.analysis.spof import spof_sets

    out: dict[str, Any] = {}
    # Library imports stay outside the clocks on both sides: the reference module imports networkx before its
    # load is timed, so the libraries chainmap's load imports on first use are imported here first (their time is
    # reported apart; the CLI table, a fresh process per command, includes them).
    start = time.perf_counter()
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401

    out["library_imports"] = time.perf_counter() - start

    out["rss"] = {}
    out["cpu"] = {}

    def clock(name: str, fn: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        value = fn()
        out[name] = time.perf_counter() - start
        out["cpu"][name] = time.process_time() - cpu  # this process's CPU time (all threads)
        out["rss"][name] = _rss_mb()  # peak so far, after this operation
        return value

    graph = clock("load", lambda: (lambda g: (g.schedule, g)[1])(chainmap.load(folder)))
    out["size"] = {"components": graph.n_components, "suppliers": graph.n_suppliers, "countries": graph.n_countries,
                   "products": len(graph.products),
                   "edges": int(graph.entry_comp.size + graph.group_members.size + graph.n_suppliers)}
    out["rss_after_load"] = _rss_mb()
    from chainmap.analysis.propagate import availability
    from chainmap.analysis.scenario import capacities

    a = clock("propagation", lambda: availability(graph, capacities(graph, chainmap.Scenario(remove=(SCENARIO_COUNTRY,)))))
    scenario_check = round(float(a[graph.product_index].sum()), 6)
    clock("scenario", lambda: chainmap.simulate(graph, chainmap.Scenario(remove=(SCENARIO_COUNTRY,))))
    rows = clock("spof", lambda: chainmap.single_points_of_failure(graph))
    sets = clock("spof_cs", lambda: spof_sets(graph, kinds=("country", "supplier")))
    target = _pick_target(graph)
    cuts = clock("cuts", lambda: chainmap.cut_sets(graph, target, 2, ("country",)))
    bottlenecks = clock("bottlenecks", lambda: chainmap.bottlenecks(graph))
    ranked = clock("priorities", lambda: chainmap.priorities(graph))
    out["check"] = {
        "scenario": scenario_check,
        "spof_pairs": sum(len(r.targets) for r in rows),
        "spof_cs_pairs": sum(len(v) for v in sets.values()),
        "target": target, "cone": int(graph.upstream_of([graph.component_of[target]]).size),
        "cuts": sorted(sorted(c.nodes) for c in cuts),
        "removal_bottlenecks": sum(b.reason == "removal" for b in bottlenecks),
        "priorities": len(ranked),
    }
    out["peak_mb"] = _rss_mb()
    return out


def _vm() -> tuple[float, float]:
    """(resident now, peak so far) in MB, from /proc/self/status."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def child_memory(n: int, folder: str) -> dict[str, Any]:
    """Time, resident and peak memory after each step of a whole run (load, analyses, aggregated render), and
    what the loaded graph holds (arrays, compiled schedule, Python id/name lists and dicts)."""
    import chainmap
    from chainmap.analysis.spof import spof_sets

    steps: list[dict[str, Any]] = []

    def step(name: str, fn: Any) -> Any:
        start = time.perf_counter()
        value = fn()
        now, peak = _vm()
        steps.append({"step": name, "seconds": time.perf_counter() - start, "rss": now, "peak": peak})
        return value

    step("imports", lambda: None)
    graph = step("load (columnar, validated)", lambda: chainmap.load(folder))
    step("compile (SCCs, schedule)", lambda: graph.schedule)
    import numpy as np

    arrays = sum(v.nbytes for v in vars(graph.arrays).values() if isinstance(v, np.ndarray))
    sched = sum(x.nbytes for st in graph.schedule.steps for x in (st.comps, st.groups, st.owner_pos, st.members,
                                                                    st.offsets))
    lists = sum(sys.getsizeof(x) for x in (graph.component_ids, graph.arrays.component_name, graph.supplier_ids,
                                           graph.arrays.supplier_name, graph.arrays.component_sector, graph.ids))
    texts = sum(sys.getsizeof(t) for t in graph.component_ids) + sum(sys.getsizeof(t) for t in
                                                                      graph.arrays.component_name)
    texts += sum(sys.getsizeof(t) for t in graph.supplier_ids) + sum(sys.getsizeof(t) for t in
                                                                     graph.arrays.supplier_name)
    dicts = sum(sys.getsizeof(d) for d in (graph.component_of, graph.supplier_of, graph.country_of))
    held = {"arrays": arrays / 2**20, "schedule": sched / 2**20, "lists": lists / 2**20, "texts": texts / 2**20,
            "dicts": dicts / 2**20}
    step("one scenario (simulate, all rows)", lambda: chainmap.simulate(graph, chainmap.Scenario(remove=("US",))))
    step("SPOF, all kinds", lambda: chainmap.single_points_of_failure(graph))
    step("SPOF, countries + suppliers", lambda: spof_sets(graph, kinds=("country", "supplier")))
    target = _pick_target(graph)
    step("cut sets order 2", lambda: chainmap.cut_sets(graph, target, 2, ("country",)))
    step("bottlenecks", lambda: chainmap.bottlenecks(graph))
    step("priorities", lambda: chainmap.priorities(graph))
    with tempfile.TemporaryDirectory() as tmp:
        step("render (page of the graph)", lambda: chainmap.render_html(graph, Path(tmp) / "graph.html"))
        size = (Path(tmp) / "graph.html").stat().st_size
    return {"steps": steps, "held": held, "page_bytes": size, "components": graph.n_components}


MEMORY_BEGIN, MEMORY_END = "<!-- memory:begin -->", "<!-- memory:end -->"


def memory_section(results: dict[int, dict[str, Any]], fmt: str, command: str) -> str:
    lines = [MEMORY_BEGIN, "## Time and memory by step (issue 15: load, memory, render)", "",
             f"Produced by `{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}) on {fmt} networks, "
             "one fresh process per size running every step in turn; `rss` is the resident memory after the "
             "step, `peak` the process's high-water mark so far (`VmRSS`, `VmHWM`). The machine is shared "
             "(2 cores): read ratios.", ""]
    for n, res in sorted(results.items()):
        if "steps" not in res:
            lines += [f"{n:,} components: {res.get('skipped', 'failed')}", ""]
            continue
        lines += [f"### {n:,} components", "", "| step | s | rss MB | peak MB |", "|---|---:|---:|---:|"]
        for st in res["steps"]:
            lines.append(f"| {st['step']} | {fmt_s(st['seconds'])} | {st['rss']:.0f} | {st['peak']:.0f} |")
        h = res["held"]
        lines += ["", f"Held by the loaded graph: numpy arrays {h['arrays']:.0f} MB, compiled schedule "
                      f"{h['schedule']:.0f} MB, Python id/name lists {h['lists']:.0f} MB and their strings "
                      f"{h['texts']:.0f} MB, id dicts {h['dicts']:.0f} MB; the rest of the resident memory after "
                      f"the load is the interpreter and libraries. Page: {res['page_bytes'] / 1e6:.1f} MB.", ""]
    lines.append(MEMORY_END)
    return "\n".join(lines) + "\n"


def memory_main(sizes: list[int], args: argparse.Namespace) -> int:
    """Run the memory-by-step child per size and replace the memory section of the report (the rest is kept)."""
    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        folder = _network(n, args)
        if folder is None:
            return 1
        print(f"[{n}] memory by step", file=sys.stderr, flush=True)
        results[n] = run_child(["memory", str(n), str(folder)], 3600)
    command = "python benchmarks/run.py --memory --sizes " + ",".join(map(str, sizes)) + f" --columnar {args.columnar}"
    section = memory_section(results, args.columnar, command)
    return replace_section(args.out if args.out else HERE / "RESULTS.md", MEMORY_BEGIN, MEMORY_END, section)


def replace_section(out: Path, begin: str, end: str, section: str) -> int:
    """Write ``section`` (which starts with ``begin`` and ends with ``end``) into ``out`` in place of the old one
    between those markers, or append it; the rest of the report is kept. Returns 0 (an exit status)."""
    previous = out.read_text(encoding="utf-8") if out.exists() else ""
    if begin in previous and end in previous:
        head, rest = previous.split(begin, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = previous + ("\n" if previous else "") + section
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _network(n: int, args: argparse.Namespace) -> Path | None:
    """The generated network of ``n`` components in the ``--columnar`` format (generated once, cached)."""
    suffix = "" if args.columnar == "csv" else f"-{args.columnar}"
    folder = args.data / f"net-{n}-seed{args.seed}-{GENERATOR_VERSION}{suffix}"
    if not (folder / ".complete").exists():
        if folder.exists():
            shutil.rmtree(folder)
        g = run_child(["generate", str(n), str(folder), str(args.seed), args.columnar], 3600)
        if "skipped" in g:
            print(f"generate {n}: {g['skipped']}", file=sys.stderr)
            return None
    return folder


def child_render(n: int, folder: str) -> dict[str, Any]:
    import chainmap

    try:
        render = chainmap.render_html
    except (AttributeError, ImportError) as exc:
        return {"skipped": f"chainmap.render_html unavailable ({exc})"}
    graph = chainmap.load(folder)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        render(graph, Path(tmp) / "graph.html")
        seconds = time.perf_counter() - start
        size = (Path(tmp) / "graph.html").stat().st_size
    return {"seconds": seconds, "bytes": size, "peak_mb": _rss_mb()}


def child_reference(n: int, folder: str, budget: float) -> dict[str, Any]:
    from reference import Ref, timed

    out: dict[str, Any] = {}
    start = time.perf_counter()
    ref = Ref(folder)
    out["load"] = {"seconds": time.perf_counter() - start}
    scenario: dict[str, Any] = {}
    out["scenario"] = timed(lambda check: scenario.update(r=ref.availability({SCENARIO_COUNTRY})), budget)
    out["propagation"] = out["scenario"]
    spof: dict[str, Any] = {}
    out["spof"] = timed(lambda check: spof.update(r=ref.spof({"country", "supplier", "component"}, check)), budget)
    spof_cs: dict[str, Any] = {}
    out["spof_cs"] = timed(lambda check: spof_cs.update(r=ref.spof({"country", "supplier"}, check)), budget)
    import chainmap

    target = _pick_target(chainmap.load(folder))
    cuts: dict[str, Any] = {}
    n_countries = len([1 for _, d in ref.g.nodes(data=True) if d["kind"] == "country"])
    out["cuts"] = timed(lambda check: cuts.update(r=ref.cut_sets(target, {"country"}, check)), budget, n_countries)
    n_foreign = sum(1 for node, d in ref.g.nodes(data=True) if d["kind"] != "component"
                    and (node if d["kind"] == "country" else d["country"]) != ref.home)
    bottle: dict[str, Any] = {}
    # the same incremental algorithm as chainmap's (a removal or cut re-evaluates only what changes), so the
    # ratio measures the implementation; the recompute-everything versions stay in reference.py as a cross-check
    out["bottlenecks"] = timed(lambda check: bottle.update(r=ref.bottlenecks_incremental(0.5, check)), budget,
                               n_foreign)
    n_foreign_comps = len(ref.priority_candidates())
    prio: dict[str, Any] = {}
    out["priorities"] = timed(lambda check: prio.update(r=ref.priorities_incremental(check)), budget,
                              n_foreign_comps)
    out["check"] = {
        "scenario": round(sum(scenario["r"][p] for p in ref.products), 6) if "r" in scenario else None,
        "spof_pairs": sum(len(v) for v in spof["r"].values()) if "r" in spof else None,
        "spof_cs_pairs": sum(len(v) for v in spof_cs["r"].values()) if "r" in spof_cs else None,
        "cuts": sorted(sorted(c) for c in cuts["r"]) if "r" in cuts else None,
        "removal_bottlenecks": bottle.get("r"),
        "priorities": prio.get("r"),
    }
    out["peak_mb"] = _rss_mb()
    return out


def child_scram(n: int, folder: str, out_dir: str) -> dict[str, Any]:
    """Order-2 minimal cut sets of one product with SCRAM on an Open-PSA MEF fault tree, beside chainmap's."""
    import xml.etree.ElementTree as ET

    import chainmap

    graph = chainmap.load(folder)
    # a product whose upstream cone has no cycle (fault trees must be acyclic) and that some set of countries
    # can take down (v2: an unlisted remainder or partial requirements keep many products up whatever is cut)
    from chainmap.analysis.propagate import availability
    from chainmap.analysis.scenario import capacities

    membership, cyclic = graph.scc
    no_country = availability(graph, capacities(graph, chainmap.Scenario(remove=tuple(graph.country_ids),
                                                                         horizon="long")))
    target = None
    for p in sorted(graph.products, key=lambda p: -graph.upstream_of([graph.component_of[p]]).size):
        cone = graph.upstream_of([graph.component_of[p]])
        if no_country[graph.component_of[p]] <= 1e-12 and not cyclic[membership[cone]].any():
            target = p
            break
    if target is None:
        return {"skipped": "no product with an acyclic upstream cone that countries can take down"}
    t = graph.component_of[target]
    cone = graph.upstream_of([t]).tolist()
    ids = graph.component_ids
    fails: dict[int, bool] = {}
    gates: list[ET.Element] = []

    def ref(c: int) -> ET.Element:
        return ET.Element("gate", name=f"down_{ids[c]}")

    order = [c for step in graph.schedule.steps for c in step.comps.tolist() if c in set(cone)]
    home_view = graph.settings.view == "home"
    true_ = ET.Element("constant", value="true")  # a term that always fails (no supply of that kind)

    def gate_of(kind: str, parts: list[ET.Element | None]) -> ET.Element | None:
        """AND/OR of parts; None is a term that cannot fail (AND: absorbs, OR: drops)."""
        if kind == "and" and any(p is None for p in parts):
            return None
        unique: dict[bytes, ET.Element] = {}
        for part in parts:
            if part is not None and part is not true_:
                unique.setdefault(ET.tostring(part), part)
        if kind == "or" and any(p is true_ for p in parts):
            return true_
        items = list(unique.values())
        if not items:
            return true_ if kind == "and" else None
        if len(items) == 1:
            return items[0]
        node = ET.Element(kind)
        node.extend(items)
        return node

    def all_cut(countries: set[str]) -> ET.Element | None:
        return gate_of("and", [ET.Element("basic-event", name=f"country_{k}") for k in sorted(countries)])

    for c in order:
        # semantics v2 at horizon long: F = 0 needs every live foreign country cut (never with an unlisted
        # remainder), D = 0 every live domestic one, R = 0 a hard requirement (share 1) down
        entries = range(int(graph.entry_ptr[c]), int(graph.entry_ptr[c + 1]))
        live = [e for e in entries if graph.entry_share[e] > 0]
        domestic = {graph.country_ids[int(graph.entry_country[e])] for e in live if graph.entry_domestic[e]}
        foreign = {graph.country_ids[int(graph.entry_country[e])] for e in live if not graph.entry_domestic[e]}
        unlisted = bool(graph.unlisted_share[c] > 0)
        hard: list[ET.Element | None] = []
        for g in range(int(graph.comp_group_ptr[c]), int(graph.comp_group_ptr[c + 1])):
            members = graph.group_members[graph.group_ptr[g]:graph.group_ptr[g + 1]].tolist()
            if graph.group_share[g] < 1.0 or not all(fails[m] for m in members):
                continue  # a partial requirement, or a member that cannot fail, keeps the group up
            hard.append(gate_of("and", [ref(m) for m in members]))
        r_down = gate_of("or", hard)
        if not len(entries):  # a home process: D = 1
            f_down, d_down, all_down = true_, None, None
        else:
            f_down = None if unlisted else all_cut(foreign)
            d_down = all_cut(domestic)
            all_down = None if unlisted else all_cut(foreign | domestic)
        expr = (gate_of("and", [f_down, gate_of("or", [d_down, r_down])]) if home_view
                else gate_of("or", [all_down, r_down]))
        fails[c] = expr is not None
        if expr is not None:
            gate = ET.Element("define-gate", name=f"down_{ids[c]}")
            gate.append(expr)
            gates.append(gate)
    if not fails[t]:
        return {"skipped": f"{target} cannot fail"}
    root = ET.Element("opsa-mef")
    tree = ET.SubElement(root, "define-fault-tree", name="chainmap")
    tree.extend(gates)
    model = ET.SubElement(root, "model-data")
    for k in graph.country_ids:
        event = ET.SubElement(model, "define-basic-event", name=f"country_{k}")
        ET.SubElement(event, "float", value="0.1")
    top = ET.Element("define-gate", name="top")
    top.append(ref(t))
    tree.insert(0, top)
    path = Path(out_dir) / f"faulttree-{n}.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    report = Path(out_dir) / f"scram-{n}.xml"
    start = time.perf_counter()
    proc = subprocess.run(["scram", str(path), "--limit-order", "2", "--probability", "false", "-o", str(report)],
                          capture_output=True, text=True, timeout=600)
    scram_seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return {"skipped": f"scram failed: {proc.stderr.strip()[:300]}"}
    scram_sets = set()
    # one sum of products per top gate: gates no other gate references (v2 leaves some, e.g. behind a
    # partial requirement) are tops of their own; only the target's counts
    tops = [sop for sop in ET.parse(report).getroot().iter("sum-of-products") if sop.get("name") == "top"]
    for product in (p for sop in tops for p in sop.iter("product")):
        names = sorted(e.get("name", "").removeprefix("country_") for e in product.iter("basic-event"))
        scram_sets.add(tuple(names))
    start = time.perf_counter()
    mine = chainmap.cut_sets(graph, target, 2, ("country",))
    mine_seconds = time.perf_counter() - start
    mine_sets = {tuple(sorted(c.nodes)) for c in mine}
    return {"target": target, "cone": len(cone), "gates": len(gates), "scram_seconds": scram_seconds,
            "chainmap_seconds": mine_seconds, "scram_sets": len(scram_sets), "chainmap_sets": len(mine_sets),
            "agree": scram_sets == mine_sets,
            "only_scram": sorted(scram_sets - mine_sets)[:5], "only_chainmap": sorted(mine_sets - scram_sets)[:5]}


# -- driver --------------------------------------------------------------------------------


def run_child(args: list[str], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"skipped": f"did not finish within {timeout:.0f} s"}
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"skipped": f"failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


# -- end-to-end CLI -------------------------------------------------------------------------

CLI_COMMANDS: list[tuple[str, list[str]]] = [
    ("validate", ["validate"]),
    ("spof (table)", ["spof"]), ("spof --format csv", ["spof", "--format", "csv"]),
    ("cuts -t TARGET (table)", ["cuts", "-t", "{target}"]),
    ("bottlenecks (table)", ["bottlenecks"]), ("bottlenecks --format csv", ["bottlenecks", "--format", "csv"]),
    ("priorities (table)", ["priorities"]), ("priorities --format csv", ["priorities", "--format", "csv"]),
    ("simulate --remove US (table)", ["simulate", "--remove", SCENARIO_COUNTRY]),
    ("simulate --remove US --format json", ["simulate", "--remove", SCENARIO_COUNTRY, "--format", "json"]),
    ("selfsufficiency (table)", ["selfsufficiency"]),
    ("diff --qualify (table)", ["diff", "--qualify", "{qualify}"]),
    ("explain TARGET --remove US (table)", ["explain", "{target}", "--remove", SCENARIO_COUNTRY]),
    ("export -o FILE (graphml)", ["export", "-o", "{graphml}"]),
    ("render -o FILE", ["render", "-o", "{html}"]),
    ("report -o DIR", ["report", "-o", "{dir}"]),
    ("validate (again)", ["validate"]),
    ("generate -n N -o DIR", ["generate", "-n", "{n}", "-o", "{gen}"]),
]
"""Run in this order with one fresh cache folder per size: the first ``validate`` loads the graph and writes the
compiled graph to the cache (chainmap.cache), every later command reads it from there. ``generate`` takes no
graph (:data:`NO_PATH`) and writes a network of the same size."""
NO_PATH = {"generate"}
"""Commands that read no graph: run without the network folder as their first argument."""
CLI_BEGIN, CLI_END = "<!-- cli:begin -->", "<!-- cli:end -->"


def child_target(n: int, folder: str) -> dict[str, Any]:
    """The cut-set target (:func:`_pick_target`) and a ``--qualify`` edit for ``diff``: the first home
    supplier made a supplier of half of the first component upstream of the target that lists foreign supply
    (deterministic)."""
    import chainmap

    graph = chainmap.load(folder)
    target = _pick_target(graph)
    home = graph.country_of[graph.home]
    suppliers = [i for i in range(graph.n_suppliers) if int(graph.supplier_country[i]) == home]
    qualify = ""
    for c in sorted(graph.upstream_of([graph.component_of[target]]).tolist()):
        start, end = int(graph.entry_ptr[c]), int(graph.entry_ptr[c + 1])
        if suppliers and any(int(graph.entry_country[e]) != home for e in range(start, end)):
            qualify = f"{graph.supplier_ids[suppliers[0]]}:{graph.component_ids[c]}=0.5"
            break
    return {"target": target, "qualify": qualify}


def cli_run(args: list[str], timeout: float) -> dict[str, Any]:
    """One ``chainmap`` command as a user runs it: a fresh process, output to a file; wall time and the
    process's own peak RSS (``wait4``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "chainmap", *args], stdout=out, stderr=subprocess.DEVNULL,
                                cwd=ROOT, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                proc.wait()
                return {"skipped": f"did not finish within {timeout:.0f} s"}
            time.sleep(0.05)
        wall = time.perf_counter() - start
        size = out.tell()
    return {"seconds": wall, "peak_mb": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status),
            "bytes": size}


def cli_section(results: dict[int, dict[str, Any]], columnar: str = "csv", command: str | None = None) -> str:
    """The RESULTS.md section of end-to-end CLI timings (between the cli markers)."""
    sizes = sorted(results)
    command = command or (f"python benchmarks/run.py --cli --sizes {','.join(map(str, sizes))}"
                          + ('' if columnar == 'csv' else f' --columnar {columnar}'))
    lines = [CLI_BEGIN, "## End-to-end CLI", "",
             f"Produced by `{command}` "
             f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}); machine as above. Each command runs as a user "
             "runs it (`python -m chainmap ...` in a fresh process, default output unless a format is given, "
             "stdout to a file); time is wall time, memory the process's own peak RSS (`wait4`). "
             "Tables show a screenful by default (`--top 0` for every row). The commands run in the order "
             "listed with one fresh cache of compiled graphs per size: the first `validate` loads the files "
             "and writes the cache, every later command reads the compiled graph from it (`chainmap.cache`; "
             "`validate (again)` is the same command then). The exponent is the growth "
             f"`log(t_max / t_min) / log(n_max / n_min)` from {sizes[0]:,} to {sizes[-1]:,} components. "
             "Machine load (1-minute load average, 2 cores shared with other jobs) before and after each size: "
             + ", ".join(f"{n:,}: {results[n]['_load'][0]:.1f} -> {results[n]['_load'][-1]:.1f}"
                         for n in sizes if "_load" in results[n]) + ".", "",
             "| command | " + " | ".join(f"{n:,}: s / MB" for n in sizes) + " | exponent |",
             "|---|" + "---:|" * (len(sizes) + 1)]
    for label, _ in CLI_COMMANDS:
        cells = []
        for n in sizes:
            r = results[n].get(label, {})
            if "skipped" in r:
                cells.append(r["skipped"])
            else:
                flag = "" if r.get("exit") in (0, 1) else f" (exit {r.get('exit')})"
                cells.append(f"{r['seconds']:.1f} / {r['peak_mb']:.0f}{flag}")
        first, last = results[sizes[0]].get(label, {}), results[sizes[-1]].get(label, {})
        exponent = "-"
        if len(sizes) > 1 and first.get("seconds") and last.get("seconds"):
            exponent = f"{math.log(last['seconds'] / first['seconds']) / math.log(sizes[-1] / sizes[0]):.2f}"
        cmd = dict(CLI_COMMANDS)[label]
        shown = _fill(" ".join([cmd[0], *([] if cmd[0] in NO_PATH else ["PATH"]), *cmd[1:]]),
                      {"{target}": "TARGET", "{qualify}": "SUPPLIER:COMPONENT=0.5", "{html}": "FILE",
                       "{graphml}": "FILE", "{dir}": "DIR", "{gen}": "DIR", "{n}": "N"})
        shown += "` (again)" if label.endswith("(again)") else "`"
        lines.append(f"| `chainmap {shown} | " + " | ".join(cells) + f" | {exponent} |")
    lines += ["", CLI_END]
    return "\n".join(lines) + "\n"


def _fill(arg: str, values: dict[str, str]) -> str:
    """``arg`` with each placeholder of ``values`` replaced."""
    for key, value in values.items():
        arg = arg.replace(key, value)
    return arg


def cli_measure(sizes: list[int], args: argparse.Namespace) -> dict[int, dict[str, Any]] | None:
    """Every CLI command at every size (None when a network is not generated yet)."""
    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        folder = _network(n, args)
        if folder is None:
            return None
        picked = run_child(["target", str(n), str(folder)], 1800)
        results[n] = {"_load": [os.getloadavg()[0]]}
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["CHAINMAP_CACHE"] = str(Path(tmp) / "cache")  # fresh per size: the first command fills it
            fill = {"{target}": picked.get("target", ""), "{qualify}": picked.get("qualify", ""),
                    "{html}": str(Path(tmp) / "view.html"), "{graphml}": str(Path(tmp) / "graph.graphml"),
                    "{dir}": str(Path(tmp) / "report"), "{gen}": str(Path(tmp) / "generated"), "{n}": str(n)}
            for label, cmd in CLI_COMMANDS:
                print(f"[{n}] chainmap {' '.join(cmd)}", file=sys.stderr, flush=True)
                argv = [_fill(a, fill) for a in cmd]
                path = [] if cmd[0] in NO_PATH else [str(folder)]
                results[n][label] = cli_run([argv[0], *path, *argv[1:]], args.cli_timeout)
            os.environ.pop("CHAINMAP_CACHE", None)
        results[n]["_load"].append(os.getloadavg()[0])
    return results


def cli_main(sizes: list[int], args: argparse.Namespace) -> int:
    """Run the CLI timings and replace the cli section of the report (the rest is kept)."""
    results = cli_measure(sizes, args)
    if results is None:
        return 1
    section = cli_section(results, args.columnar)
    return replace_section(args.out if args.out else HERE / "RESULTS.md", CLI_BEGIN, CLI_END, section)


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    import networkx
    import numpy

    return {"nproc": str(os.cpu_count()), "memory": memory, "cpu": cpu, "python": platform.python_version(),
            "numpy": numpy.__version__, "networkx": networkx.__version__, "os": platform.platform()}


def fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def report(results: dict[int, dict[str, Any]], scram: dict[str, Any] | None, info: dict[str, str], command: str,
           args: argparse.Namespace) -> str:
    lines = ["# chainmap benchmarks", "",
             f"Produced by `{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).", "",
             f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}; "
             f"Python {info['python']}, numpy {info['numpy']}, networkx {info['networkx']}.", "",
             "Networks: `chainmap generate --components N --seed "
             f"{args.seed}` (tiered, heavy-tailed fan-out, any_of groups, small cycles; ~5 edges per component; "
             "semantics v2: ~15% equipment and ~15% partial requirements, ~15% of supply mixes with an unlisted "
             "remainder, ~8% foreign-owned suppliers; impacts at the default 365-day horizon). "
             "Each size is measured in a fresh process, after its files were read once (page cache warm, as for any command after the first); peak memory is that process's `ru_maxrss`. "
             "The networkx reference (benchmarks/reference.py) runs the same algorithm as chainmap per analysis "
             "(bottlenecks and priorities: incremental re-evaluation of what each removal or cut changes), "
             "written in plain Python over networkx, so a ratio compares implementations, not algorithms; "
             f"it gets {args.ref_budget:.0f} s per operation and is "
             "extrapolated from the part done past that (marked *; SPOF per phase: the kill-set pass at its own "
             "rate per component, each decay check at one full propagation); it is skipped above "
             f"{args.ref_max} components.", ""]
    for n, res in results.items():
        mine, ref, render = res["mine"], res["ref"], res["render"]
        lines += [f"## {n:,} components", ""]
        if "skipped" in mine:
            lines += [f"chainmap measurement failed: {mine['skipped']}", ""]
            continue
        size = mine["size"]
        lines += [f"{size['components']:,} components, {size['suppliers']:,} suppliers, {size['countries']} countries, "
                  f"{size['products']:,} products, {size['edges']:,} edges. Generated in {res['gen']:.1f} s. "
                  f"Peak memory: **{mine['peak_mb']:.0f} MB** ({mine['rss_after_load']:.0f} MB after load). "
                  + (f"Library imports before the clocks (pyarrow.csv, pyarrow.compute, scipy.sparse.csgraph, as the "
                     f"reference imports networkx before its own): {mine['library_imports']:.2f} s. "
                     if "library_imports" in mine else "")
                  + (f"Machine load (1-minute load average, 2 cores shared) {mine['machine_load'][0]:.1f} before, "
                     f"{mine['machine_load'][1]:.1f} after this measurement. " if "machine_load" in mine else "") +
                  f"Cut-set target: `{mine['check']['target']}` (upstream cone {mine['check']['cone']:,} components).", "",
                  "| operation | chainmap (s) | chainmap CPU (s) | peak MB so far | networkx (s) | speed-up | results agree |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for key, label in OPS:
            if key == "render":
                value = render.get("seconds")
                note = render.get("skipped", f"{render.get('bytes', 0) / 1e6:.1f} MB file" if value is not None else "")
                peak = f"{render['peak_mb']:.0f} (own process)" if "peak_mb" in render else "-"
                lines.append(f"| {label} | {fmt_s(value)} | - | {peak} | - | - | {note} |")
                continue
            value = mine.get(key)
            rss = f"{mine['rss'][key]:.0f}" if key in mine.get("rss", {}) else "-"
            rss = f"{fmt_s(mine.get('cpu', {}).get(key))} | {rss}"
            if "skipped" in ref:
                lines.append(f"| {label} | {fmt_s(value)} | {rss} | skipped | - | see below |")
                continue
            r = ref.get(key, {})
            rs = r.get("seconds")
            star = "*" if "extrapolated" in r else ""
            ratio = f"{rs / value:.0f}x{star}" if rs and value else "-"
            agree = "-"
            check_key = {"propagation": "scenario", "scenario": "scenario", "spof": "spof_pairs", "spof_cs": "spof_cs_pairs", "cuts": "cuts",
                         "bottlenecks": "removal_bottlenecks", "priorities": "priorities"}.get(key)
            if check_key and ref.get("check", {}).get(check_key) is not None:
                agree = "yes" if ref["check"][check_key] == mine["check"][check_key] else \
                    f"no ({ref['check'][check_key]!s:.40} vs {mine['check'][check_key]!s:.40})"
            elif "extrapolated" in r:
                agree = f"n/a ({r['extrapolated']})"
            lines.append(f"| {label} | {fmt_s(value)} | {rss} | {fmt_s(rs)}{star} | {ratio} | {agree} |")
        if "skipped" not in ref:
            lines += ["", f"networkx reference peak memory: {ref.get('peak_mb', 0):.0f} MB."]
        else:
            lines += ["", f"networkx reference: {ref['skipped']}."]
        lines.append("")
    largest = max(results) if results else 0
    mine = results.get(largest, {}).get("mine", {})
    if largest >= 1_000_000 and "skipped" not in mine:
        lines += ["## Goals at 1M components / ~5M edges", "",
                  "Wall time decides; the CPU time (this process's, all threads) shows what the shared machine's load "
                  "added to it.", "",
                  "| goal | target | measured (wall) | CPU | met |", "|---|---:|---:|---:|---|"]
        for key, limit in GOALS.items():
            value = mine.get(key)
            met = value is not None and value < limit
            lines.append(f"| {dict(OPS)[key]} | < {limit:g} s | {fmt_s(value)} s | {fmt_s(mine.get('cpu', {}).get(key))} s | "
                         f"{'yes' if met else f'no ({value / limit:.1f}x over)' if value else 'no'} |")
        for label, peak in (("peak memory through load, scenario, SPOF and cut sets",
                             mine.get("rss", {}).get("cuts", 0)),
                            ("peak memory of the whole run (incl. bottlenecks, priorities)", mine.get("peak_mb", 0))):
            lines.append(f"| {label} | < {MEMORY_GOAL_MB} MB | {peak:.0f} MB | - | "
                         f"{'yes' if peak < MEMORY_GOAL_MB else f'no ({peak / MEMORY_GOAL_MB:.2f}x over)'} |")
        lines.append("")
    lines += ["## SCRAM (Open-PSA MEF fault tree), order-2 minimal cut sets", ""]
    if scram is None:
        lines += ["Not run (no size matched `--scram-size`).", ""]
    elif "skipped" in scram:
        lines += [f"Not compared: {scram['skipped']}.", ""]
    else:
        lines += [f"At {args.scram_size:,} components, target `{scram['target']}` (acyclic upstream cone of "
                  f"{scram['cone']:,} components, {scram['gates']:,} gates; semantics v2 at horizon long: a component "
                  "is down when all its live foreign supply countries are cut (never with an unlisted remainder) "
                  "AND (all its domestic ones OR one of its hard requirements: a share-1 group, AND over an "
                  "any_of group's members); countries are the basic events; top event: target down).", "",
                  "| tool | time (s) | cut sets of order <= 2 |", "|---|---:|---:|",
                  f"| SCRAM `--limit-order 2` (process incl. XML parsing) | {scram['scram_seconds']:.3f} | {scram['scram_sets']} |",
                  f"| chainmap `cut_sets(.., 2, ('country',))` | {scram['chainmap_seconds']:.3f} | {scram['chainmap_sets']} |",
                  "", f"Same cut sets: **{'yes' if scram['agree'] else 'no'}**."
                  + ("" if scram["agree"] else f" Only SCRAM: {scram['only_scram']}; only chainmap: {scram['only_chainmap']}."),
                  ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated component counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="quick run: small budgets, no RESULTS.md unless --out")
    parser.add_argument("--out", type=Path, default=None, help="report path (default benchmarks/RESULTS.md)")
    parser.add_argument("--data", type=Path, default=ROOT / ".benchmarks" / "data", help="cache of generated networks")
    parser.add_argument("--ref-budget", type=float, default=120.0, help="seconds per networkx reference operation")
    parser.add_argument("--ref-max", type=int, default=100_000, help="largest size the networkx reference runs at")
    parser.add_argument("--render-max", type=int, default=100_000, help="largest size the HTML render runs at")
    parser.add_argument("--scram-size", type=int, default=10_000, help="size of the SCRAM comparison")
    parser.add_argument("--cli", action="store_true",
                        help="only the end-to-end CLI timings (fresh process per command): replace their section")
    parser.add_argument("--cli-timeout", type=float, default=900.0, help="seconds per CLI command")
    parser.add_argument("--memory", action="store_true",
                        help="only time and memory by step (load, analyses, render): replace their section")
    parser.add_argument("--columnar", choices=("csv", "parquet"), default="csv",
                        help="table format of the generated networks (--memory, --cli)")
    parser.add_argument("--no-cli", action="store_true",
                        help="skip the end-to-end CLI timings (kept from the previous report)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, n, folder, *rest = args.child
        if kind == "generate":
            result = child_generate(int(n), folder, int(rest[0]), *rest[1:])
        elif kind == "memory":
            result = child_memory(int(n), folder)
        elif kind == "measure":
            result = child_measure(int(n), folder)
        elif kind == "render":
            result = child_render(int(n), folder)
        elif kind == "reference":
            result = child_reference(int(n), folder, float(rest[0]))
        elif kind == "target":
            result = child_target(int(n), folder)
        else:
            result = child_scram(int(n), folder, rest[0])
        print(json.dumps(result))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.cli:
        return cli_main(sizes, args)
    if args.memory:
        return memory_main(sizes, args)
    if args.smoke:
        args.ref_budget = min(args.ref_budget, 3.0)
        args.scram_size = sizes[0]
    info = machine()
    results: dict[int, dict[str, Any]] = {}
    scram: dict[str, Any] | None = None
    for n in sizes:
        folder = args.data / f"net-{n}-seed{args.seed}-{GENERATOR_VERSION}"
        gen = 0.0
        if not (folder / ".complete").exists():
            if folder.exists():
                shutil.rmtree(folder)
            g = run_child(["generate", str(n), str(folder), str(args.seed)], 3600)
            if "skipped" in g:
                print(f"generate {n}: {g['skipped']}", file=sys.stderr)
                return 1
            gen = g["seconds"]
        print(f"[{n}] measuring chainmap", file=sys.stderr, flush=True)
        _warm_files(Path(folder))
        load_before = os.getloadavg()[0]
        mine = run_child(["measure", str(n), str(folder)], 3600)
        if "skipped" not in mine:
            mine["machine_load"] = (load_before, os.getloadavg()[0])
        if n > args.render_max:
            render = {"skipped": f"not run above --render-max {args.render_max:,} (1M: see the memory section)"}
        else:
            render = run_child(["render", str(n), str(folder)], 300 if not args.smoke else 60)
        if n > args.ref_max:
            ref = {"skipped": f"above --ref-max {args.ref_max:,}: loading alone into networkx takes minutes and "
                              "several GB here, and the reference analyses would run for hours"}
        else:
            print(f"[{n}] measuring the networkx reference", file=sys.stderr, flush=True)
            ref = run_child(["reference", str(n), str(folder), str(args.ref_budget)], args.ref_budget * 10 + 600)
        results[n] = {"mine": mine, "ref": ref, "render": render, "gen": gen}
        if n == args.scram_size:
            if shutil.which("scram") is None:
                scram = {"skipped": "scram is not installed (Debian: apt-get install -y scram)"}
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    scram = run_child(["scram", str(n), str(folder), tmp], 900)
    cli_results = None if args.smoke or args.no_cli else cli_measure(sizes, args)
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(results, scram, info, command, args)
    if cli_results is not None:
        text += "\n" + cli_section(cli_results, args.columnar, command)
    out = args.out if args.out else (None if args.smoke else HERE / "RESULTS.md")
    if out is not None:
        previous = out.read_text(encoding="utf-8") if out.exists() else ""
        kept = [("<!-- spark:begin -->", "<!-- spark:end -->"), ("<!-- export:begin -->", "<!-- export:end -->"),
                ("<!-- notes:begin -->", "<!-- notes:end -->"), (MEMORY_BEGIN, MEMORY_END)]
        if cli_results is None:
            kept.insert(1, (CLI_BEGIN, CLI_END))
        for begin, end in kept:
            if begin in previous and end in previous:  # the Spark, export, notes, memory (and --cli) sections are kept
                text += "\n" + begin + previous.split(begin, 1)[1].split(end, 1)[0] + end + "\n"
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(text)
    failed = [n for n, r in results.items() if "skipped" in r["mine"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
