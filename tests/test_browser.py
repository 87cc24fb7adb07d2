"""The HTML views in a real browser: headless Debian chromium driven by playwright.

Checks that a page loads with no console errors, draws the expected nodes,
finds a node, runs nothing from a hostile graph, sends no request off the
machine, and that a 10,000-node graph opens quickly. Skipped when
/usr/bin/chromium (``make browser``) or the playwright package is missing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import chainmap
from chainmap.analysis import Scenario
from chainmap.graph import SupplyGraph
from chainmap.render.html import render_html
from chainmap.render.report import render_report
from tests.test_render import synthetic_spec


def wait_true(page, expression: str, timeout: float = 30_000) -> None:
    """Wait until ``expression`` is true in ``page``, polled with ``page.evaluate`` (the DevTools protocol,
    which the page's Content Security Policy does not govern). Playwright's ``wait_for_function`` with a
    string polls through ``eval`` once the first check fails, and the page's CSP (no 'unsafe-eval') rightly
    refuses it: the test then failed only when the page was slower than the first check."""
    deadline = time.monotonic() + timeout / 1000
    while not _true(page, expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for {expression}")
        time.sleep(0.05)


def _true(page, expression: str) -> bool:
    try:
        return bool(page.evaluate(f"!!({expression})"))
    except Exception as error:  # a navigation replaced the page's context mid-call: ask again
        if "context" in str(error).lower() or "navigat" in str(error).lower():
            return False
        raise

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent

if not CHROMIUM.exists():
    pytest.skip("browser tests need /usr/bin/chromium (run `make browser` or apt-get install chromium)",
                allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """An open page with everything it logged, every request it tried and every dialog it raised."""

    def __init__(self, browser, path: Path, timeout_ms: int = 30_000, url_suffix: str = "") -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        start = time.perf_counter()
        self.page.goto(path.resolve().as_uri() + url_suffix)
        self.wait_ready(timeout_ms)
        self.seconds = time.perf_counter() - start

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def wait_ready(self, timeout_ms: int) -> None:
        wait_true(self.page, "window.chainmapReady === true", timeout=timeout_ms)

    def close(self) -> None:
        self.page.close()

    def assert_clean(self) -> None:
        bad = [m for m in self.console if m.startswith(("error", "warning"))]
        assert not bad, bad
        assert not self.errors, self.errors
        assert not self.requests, f"requests left the machine: {self.requests}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"


def _visible(page) -> list[str]:
    return sorted(page.evaluate("window.chainmap.nodes.get({filter: n => !n.hidden}).map(n => n.id)"))


def _canvas_point(page, node: str) -> tuple[float, float]:
    box = page.evaluate(f"(() => {{ const p = window.chainmap.network.getPosition({node!r});"
                        " return window.chainmap.network.canvasToDOM(p); })()")
    rect = page.eval_on_selector("#graph", "e => { const r = e.getBoundingClientRect(); return [r.left, r.top]; }")
    return rect[0] + box["x"], rect[1] + box["y"]


def _state(page) -> dict:
    page = getattr(page, "page", page)
    return page.evaluate("window.chainmap.state()")


def test_overview_first_then_division_focus_and_history(browser, tmp_path):
    graph = chainmap.load("tests/data/mini")
    path = render_html(graph, tmp_path / "mini.html")
    visit = Visit(browser, path)
    page = visit.page
    # the page opens on the divisions
    assert _visible(page) == ["sector:35", "sector:39", "sector:none"]
    assert "3 divisions" in page.inner_text("#summary")
    # double-click a division: its chain, with a breadcrumb back
    x, y = _canvas_point(page, "sector:35")
    page.mouse.dblclick(x, y)
    wait_true(page, "window.chainmap.state().view === 'sector'")
    assert _visible(page) == ["scanner"] and page.evaluate("location.hash") == "#sector=35"
    assert "Overview" in page.inner_text("#crumbs") and "Special Purpose Machinery" in page.inner_text("#crumbs")
    # click a node: focus, its neighbourhood re-laid around it, #id in the address
    x, y = _canvas_point(page, "scanner")
    page.mouse.click(x, y)
    wait_true(page, "window.chainmap.state().focus === 'scanner'")
    assert page.evaluate("location.hash") == "#scanner"
    assert _visible(page) == ["asml", "logic-chip", "scanner"]  # 1 hop: supplier and user
    assert page.evaluate("window.chainmap.network.getPosition('asml').x < window.chainmap.network.getPosition('scanner').x")
    page.select_option("#hops", "2")
    assert "NL" in _visible(page) and "office-pc" in _visible(page)
    # the details panel in the analyst's order
    details = page.inner_text("#details")
    order = [details.index(t) for t in ("Lithography scanner", "Sector 35", "Substitution priority #1", "impact",
                                        "Suppliers and shares", "ASML", "100%", "Used by 1")]
    assert order == sorted(order), details
    # back and forward walk the views
    page.go_back()
    wait_true(page, "window.chainmap.state().view === 'sector'")
    page.go_back()
    wait_true(page, "window.chainmap.state().view === 'overview'")
    page.go_forward()
    wait_true(page, "window.chainmap.state().view === 'sector'")
    # the breadcrumb leads back to the overview
    page.click("#crumbs a:text('Overview')")
    wait_true(page, "window.chainmap.state().view === 'overview'")
    visit.assert_clean()
    visit.close()
    # #id in the URL opens that focus (the report links use it)
    direct = browser.new_page(viewport={"width": 1400, "height": 900})
    direct.goto(path.resolve().as_uri() + "#wafer")
    wait_true(direct, "window.chainmapReady === true")
    assert _state(direct)["focus"] == "wafer" and "Silicon wafer" in direct.inner_text("#details")
    direct.close()
    for bad in ("#%E0%A4%A", "#no-such-node", "#sector=99"):  # unknown or malformed: the overview, no error
        odd = Visit(browser, path, url_suffix=bad)
        assert _state(odd)["view"] == "overview"
        odd.assert_clean()
        odd.close()


def test_search_list_keyboard_and_filters(browser, tmp_path):
    graph = chainmap.load("tests/data/mini")
    visit = Visit(browser, render_html(graph, tmp_path / "mini.html"))
    page = visit.page
    page.fill("#search", "chip")
    items = page.locator("#results li")
    assert items.count() == 1 and "logic-chip" in items.nth(0).inner_text()
    page.fill("#search", "o")  # id and name matches, best first
    hits = page.evaluate("window.chainmap.candidates('o')")
    assert items.count() == len(hits) >= 5 and not page.evaluate("document.getElementById('results').hidden")
    assert "office-pc" in hits and "kylin-os" in hits  # by name (Office PC) and by id
    assert items.nth(0).get_attribute("aria-selected") == "true"
    page.press("#search", "ArrowDown")
    assert items.nth(1).get_attribute("aria-selected") == "true"
    second = hits[1]
    page.press("#search", "Enter")
    wait_true(page, f"window.chainmap.state().focus === {second!r}")
    page.fill("#search", "no such node")
    assert page.inner_text("#search-msg") == "not found" and items.count() == 0
    # filters hide what does not match and update the counts
    page.evaluate("window.chainmap.go('view=all')")
    assert len(_visible(page)) == len(graph.ids)
    page.select_option("#f-kind", "supplier")
    assert _visible(page) == sorted(graph.supplier_ids)
    assert f"{len(graph.supplier_ids)} of {len(graph.ids)} match the filters" in page.inner_text("#summary")
    page.select_option("#f-kind", "")
    page.select_option("#f-flag", "spof")
    spofs = sorted(n["id"] for n in page.evaluate("window.chainmap.data.nodes") if n["spof"])
    assert _visible(page) == spofs
    page.select_option("#f-flag", "")
    page.select_option("#f-country", "NL")
    assert _visible(page) == ["NL", "asml", "scanner"]
    page.fill("#search", "a")  # the search list honours the filters too
    assert all(n in ("NL", "asml", "scanner") for n in page.evaluate("window.chainmap.candidates('a')"))
    page.select_option("#f-country", "")
    page.select_option("#f-sector", "35")
    page.evaluate("window.chainmap.go('')")
    assert "(1 of 1)" in page.evaluate("window.chainmap.nodes.get('sector:35').label")
    assert "(0 of 3)" in page.evaluate("window.chainmap.nodes.get('sector:39').label")
    visit.assert_clean()
    visit.close()


def test_scenario_selector_recolours_and_charts(browser, tmp_path):
    graph = chainmap.load("tests/data/mini")
    visit = Visit(browser, render_html(graph, tmp_path / "mini.html"))
    page = visit.page
    page.evaluate("window.chainmap.go('view=all')")
    before = page.evaluate("window.chainmap.nodes.get('logic-chip').color.background")
    assert page.evaluate("document.getElementById('scenario-panel').hidden")
    page.select_option("#scenario", "country:NL@long")
    assert "a = 0%" in page.evaluate("window.chainmap.nodes.get('logic-chip').label")
    after = page.evaluate("window.chainmap.nodes.get('logic-chip').color.background")
    assert after != before
    assert page.evaluate("window.chainmap.nodes.get('NL').color.background") == "#d9d9d9"
    assert page.evaluate("window.chainmap.nodes.get('salmon').color.background") == "#d4ecd4"  # untouched
    assert page.locator("#impact-chart .hitbar").count() == 2
    assert "Lithography scanner" in page.inner_text("#top-hits")
    # the binding chain under the selected scenario, from the precomputed pointers
    page.evaluate("window.chainmap.go('office-pc')")
    details = page.inner_text("#details")
    assert "Why: binding chain under remove NL (horizon long)" in details
    assert details.index("Office PC a = 0%: requirement") < details.index("Logic chip a = 0%: requirement")
    assert "Root causes: Netherlands" in details
    # the overview recolours the divisions and shows their impact
    page.evaluate("window.chainmap.go('')")
    assert "\u2212100%" in page.evaluate("window.chainmap.nodes.get('sector:35').label")
    page.select_option("#scenario", "")
    page.evaluate("window.chainmap.go('view=all')")
    assert page.evaluate("window.chainmap.nodes.get('logic-chip').color.background") == before
    assert page.evaluate("document.getElementById('scenario-panel').hidden")
    visit.assert_clean()
    visit.close()


def test_scenario_overlay_in_browser(browser, tmp_path):
    graph = chainmap.load("tests/data/mini")
    visit = Visit(browser, render_html(graph, tmp_path / "s.html", scenario=Scenario(remove=("NL",), horizon="long")))
    page = visit.page
    assert page.evaluate("document.getElementById('scenario').value") == "custom"
    page.evaluate("window.chainmap.go('view=all')")
    assert "a = 0%" in page.evaluate("window.chainmap.nodes.get('logic-chip').label")
    assert page.evaluate("window.chainmap.nodes.get('NL').color.background") == "#d9d9d9"
    # the details panel shows the full binding chain of the command line's scenario
    page.fill("#search", "office-pc")
    page.click("#search-form button")
    details = page.inner_text("#details")
    assert "binding chain (horizon long, reach location)" in details
    assert "logic-chip (input, share 1, k 1)" in details and "Root causes: NL" in details
    visit.assert_clean()
    visit.close()


def test_hostile_graph_runs_nothing(browser, tmp_path):
    graph = chainmap.load("tests/data/hostile")
    for path in (render_html(graph, tmp_path / "h.html"), render_report(graph, tmp_path / "report")):
        visit = Visit(browser, path) if path.name != "index.html" else None
        if visit is None:  # the report page has no ready marker: load and wait for the load event
            visit = _visit_static(browser, path)
        page = visit.page
        if path.name == "h.html":
            page.evaluate("window.chainmap.find('evil-supplier')")
            page.evaluate("window.chainmap.find('scanner')")
            text = page.inner_text("#details")
            assert "<img src=x onerror=alert(1)>" in text  # shown as text
            # sources: URLs become links (escaped, never javascript:), the rest stays text
            page.evaluate("document.querySelectorAll('#details details').forEach(d => { d.open = true; })")
            link = page.locator("#details a[href='https://evil.example/x.css']")
            assert link.count() == 1 and link.inner_text() == "https://evil.example/x.css"
            assert "<style>body{display:none}</style><link rel=stylesheet href=" in page.inner_text("#details")
            assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
            page.evaluate("window.chainmap.go('view=all')")
            labels = page.evaluate("window.chainmap.nodes.map(n => n.label)")
            assert any("<script>alert(1)</script>" in label for label in labels)
            page.fill("#search", "script")
            assert "<script>alert(1)</script>" in page.inner_text("#results")
            page.select_option("#f-sector", "39")
            page.evaluate("window.chainmap.go('')")
            page.select_option("#scenario", index=1)
            page.evaluate("window.chainmap.go('scanner')")
            assert "<img src=x onerror=alert(1)>" in page.inner_text("#crumbs")
        else:
            assert "<script>alert(1)</script>" in page.inner_text("body")
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('img, iframe, svg[onload], link, base').length") == 0
        visit.assert_clean()
        visit.close()


class _Static(Visit):
    def wait_ready(self, timeout_ms: int) -> None:
        self.page.wait_for_load_state("load", timeout=timeout_ms)


def _visit_static(browser, path: Path) -> Visit:
    return _Static(browser, path)


def test_report_sorts_links_and_opens_the_focus(browser, tmp_path):
    graph = chainmap.load("tests/data/mini")
    index = render_report(graph, tmp_path / "out")
    visit = _visit_static(browser, index)
    page = visit.page
    assert page.locator("a[href='graph.html']").count() >= 1
    assert page.locator("a[href='graph.html#scanner']").count() >= 1
    assert "Lithography scanner" in page.inner_text("body")
    # SPOF details are a count; the list opens on demand
    spof = page.locator("#spof details").first
    assert not spof.evaluate("d => d.open")
    spof.locator("summary").click()
    assert spof.evaluate("d => d.open")
    # sortable: the exposure table by its foreign share, both ways
    table = page.locator("#exposure table")
    table.locator("th", has_text="foreign").click()
    asc = table.evaluate("t => Array.from(t.tBodies[0].rows).map(r => Number(r.cells[1].dataset.sort))")
    assert asc == sorted(asc)
    table.locator("th", has_text="foreign").click()
    desc = table.evaluate("t => Array.from(t.tBodies[0].rows).map(r => Number(r.cells[1].dataset.sort))")
    assert desc == sorted(asc, reverse=True)
    assert page.locator("svg.chart").count() >= 3
    visit.assert_clean()
    # a link opens the graph view focused on that node
    page.locator("#priorities a[href='graph.html#scanner']").first.click()
    wait_true(page, "window.chainmapReady === true && window.chainmap.state().focus === 'scanner'")
    assert "Lithography scanner" in page.inner_text("#details")
    visit.assert_clean()
    visit.close()


def test_bundled_views_and_screenshots(browser, tmp_path):
    """The bundled graphs (tests/data/mini when they do not load): the newcomer's path, screenshots for docs/.

    Find the EUV scanner, see who supplies it with what share, see what a Netherlands
    cut-off does to the electronics division (39), read why a product is hit.
    Saves overview.png, focus.png and scenario.png: into docs/ (the README shows them) only when
    CHAINMAP_SCREENSHOTS=1, else into the test's temporary folder (a test run leaves the checkout as it was).
    """
    shots = ROOT / "docs" if os.environ.get("CHAINMAP_SCREENSHOTS") == "1" else tmp_path
    try:
        graph = chainmap.load(ROOT / "graphs")
        target, country, division = "euv-scanner", "NL", "39"
    except chainmap.ChainmapError:
        graph = chainmap.load("tests/data/mini")
        target, country, division = "scanner", "NL", "39"
    visit = Visit(browser, render_html(graph, tmp_path / "bundled.html"))
    page = visit.page
    page.set_viewport_size({"width": 1440, "height": 900})
    assert page.evaluate("window.chainmap.state().view") == "overview"
    assert page.evaluate("window.chainmap.nodes.length") == len(page.evaluate("window.chainmap.data.overview.nodes"))
    page.evaluate("window.chainmap.network.fit({animation: false})")
    page.wait_for_timeout(200)
    page.screenshot(path=str(shots / "overview.png"))
    # find the EUV scanner: type, pick from the list
    page.fill("#search", "euv scanner" if target == "euv-scanner" else "lithography")
    assert page.locator("#results li").count() >= 1
    page.press("#search", "Enter")
    wait_true(page, f"window.chainmap.state().focus === {target!r}")
    details = page.inner_text("#details")
    assert "Suppliers and shares" in details and "%" in details
    page.wait_for_timeout(200)
    page.screenshot(path=str(shots / "focus.png"))
    # a Netherlands cut-off at one year: the electronics division, and why a product is hit
    page.select_option("#scenario", f"country:{country}@1y")
    assert page.locator("#impact-chart .hitbar").count() >= 1
    page.evaluate(f"window.chainmap.go('sector={division}')")
    panel = page.inner_text("#scenario-panel")
    assert f"remove {country}" in panel
    lowered = page.evaluate("window.chainmap.nodes.get().filter(n => n.label.includes('a = ')).length")
    assert lowered >= 1  # the division's components the cut lowers are marked
    hit = page.evaluate("window.chainmap.pack().components[window.chainmap.pack().scenarios"
                        f".find(s => s.id === 'country:{country}@1y').top[0]]")
    page.evaluate(f"window.chainmap.go({hit!r})")
    assert "Why: binding chain" in page.inner_text("#details")
    page.evaluate("window.chainmap.go('')")
    page.wait_for_timeout(200)
    page.screenshot(path=str(shots / "scenario.png"))
    visit.assert_clean()
    visit.close()


def test_10k_node_graph_opens_fast(browser, tmp_path):
    graph = SupplyGraph.from_spec(synthetic_spec(10_000))
    start = time.perf_counter()
    path = render_html(graph, tmp_path / "big.html", max_nodes=20_000, scenarios=False)
    render_seconds = time.perf_counter() - start
    visit = Visit(browser, path, timeout_ms=60_000)
    first_paint_ms = visit.page.evaluate("window.chainmapReadyMs")
    print(f"\n10k nodes: render_html {render_seconds:.2f} s, first paint (overview) {first_paint_ms / 1000:.2f} s"
          f" after navigation start, goto+ready {visit.seconds:.2f} s, {path.stat().st_size / 1e6:.1f} MB")
    assert first_paint_ms < 3_000
    assert visit.page.evaluate("window.chainmap.nodes.length") == 30  # the divisions
    assert visit.page.evaluate("window.chainmap.find('c1234')") == "c1234"
    assert 1 < visit.page.evaluate("window.chainmap.nodes.length") < 100  # a neighbourhood
    start = time.perf_counter()
    visit.page.evaluate("window.chainmap.go('view=all')")
    assert visit.page.evaluate("window.chainmap.nodes.length") == 10_000
    print(f"whole graph drawn in {time.perf_counter() - start:.2f} s")
    visit.assert_clean()
    visit.close()


def test_100k_node_graph_paints_the_overview_fast(browser, tmp_path):
    """At 100k nodes the page embeds every node but parses details and edges on first focus."""
    graph = SupplyGraph.from_spec(synthetic_spec(100_000))
    path = render_html(graph, tmp_path / "huge.html", scenarios=False)
    visit = Visit(browser, path, timeout_ms=120_000)
    page = visit.page
    first_paint_ms = page.evaluate("window.chainmapReadyMs")
    start = time.perf_counter()
    assert page.evaluate("window.chainmap.find('c54321')") == "c54321"
    focus_s = time.perf_counter() - start
    start = time.perf_counter()
    assert page.evaluate("window.chainmap.find('c65432')") == "c65432"
    again_s = time.perf_counter() - start
    print(f"\n100k nodes: first paint (overview) {first_paint_ms / 1000:.2f} s, {path.stat().st_size / 1e6:.0f} MB;"
          f" first focus {focus_s:.2f} s (parses details and edges), next focus {again_s:.3f} s")
    assert first_paint_ms < 3_000
    assert not page.evaluate("window.chainmap.data.meta.full")  # no drawing of the whole graph at this size
    assert 1 < page.evaluate("window.chainmap.nodes.length") < 100
    assert "Component 65432" in page.inner_text("#details")
    visit.assert_clean()
    visit.close()


def test_aggregated_page_opens_and_says_what_it_embeds(browser, tmp_path):
    """Above ``max_embed`` nodes the page embeds a selection: it opens on every division, says how many nodes it
    carries, opens a division and focuses an embedded node; an id it does not carry opens the overview."""
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 3000, seed=11)
    graph = chainmap.load(tmp_path / "net")
    path = render_html(graph, tmp_path / "agg.html", max_embed=1000)
    visit = Visit(browser, path, timeout_ms=60_000)
    page = visit.page
    meta = page.evaluate("window.chainmap.data.meta")
    assert meta["embedded"] == "selection" and meta["shown_nodes"] < meta["total_nodes"] == len(graph.ids)
    assert f"of {len(graph.ids):,} nodes embedded" in page.inner_text("#crumbs")
    divisions = page.evaluate("window.chainmap.nodes.length")
    assert divisions == len({s or "none" for s in graph.arrays.component_sector})
    from tests.test_render import page_data

    embedded = [n["id"] for n in page_data(path.read_text(encoding="utf-8"))["nodes"] if n["kind"] == "component"]
    assert page.evaluate(f"window.chainmap.find({embedded[0]!r})") == embedded[0]
    assert 1 < page.evaluate("window.chainmap.nodes.length") < 200
    missing = next(c for c in graph.component_ids if c not in set(embedded))
    page.evaluate(f"location.hash = {'#' + missing!r}")
    wait_true(page, "window.chainmap.state().view === 'overview'")
    visit.assert_clean()
    visit.close()
