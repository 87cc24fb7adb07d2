"""Hostile and broken input: fuzzed graph folders through the CLI, limits, YAML gotchas, outputs, errors.

Every run must end with exit 0, or exit 2 with one ``error: FILE[:LINE]: ...``
line per problem naming a file; never a traceback, never slower than the
hypothesis deadline. Profiles (select with ``HYPOTHESIS_PROFILE``):

- ``ci`` (default): few examples, derandomized, about a minute for the suite;
- ``fuzz``: thousands of examples with random seeds, for a long local run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chainmap.cli.app import app
from chainmap.cli.common import errors_as_exit
from chainmap.errors import (
    ChainmapError,
    GraphFileError,
    OutputError,
    Problem,
    ScenarioError,
    UnknownNodeError,
    UsageError,
)
from chainmap.io.atomic import check_output, write_text_atomic
from chainmap.model import reader
from chainmap.model.reader import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from tests.strategies import specs

_COMMON = {
    "deadline": 2000,  # ms per example: every example runs several CLI commands
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=300, derandomize=True, **_COMMON)
settings.register_profile("fuzz", max_examples=3000, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")
"""Applied to this module's tests only, so the rest of the suite keeps its own settings."""

runner = CliRunner()
MINI = Path(__file__).parent / "data" / "mini"
MINI_DATA: dict[str, Any] = reader.read_file(MINI / "graph.yaml").data  # YAML 1.2: NO is Norway
SECTIONS = ("chainmap", "countries", "blocs", "sectors", "components", "suppliers")
COMMANDS: list[list[str]] = [
    ["validate"],
    ["validate", "--format", "json"],
    ["spof", "--format", "json"],
    ["bottlenecks", "--format", "csv"],
    ["priorities"],
    ["simulate", "--format", "json", "--remove", "NL"],
    ["selfsufficiency", "--format", "json"],
    ["cuts", "--target", "office-pc", "--format", "csv"],
]


# ---------------------------------------------------------------- the oracle


def check_run(folder: Path, args: list[str]) -> int:
    """Run ``chainmap ARGS[0] FOLDER ARGS[1:]`` and check the exit contract; return the exit code."""
    result = runner.invoke(app, [args[0], str(folder), *args[1:]])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: uncaught {type(result.exception).__name__}: {result.exception}") \
            from result.exception
    output = result.output
    assert "Traceback" not in output, output
    assert result.exit_code in (0, 2), (args, result.exit_code, output)
    if result.exit_code == 2:
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines, f"{args}: exit 2 without a message"
        for line in lines:
            if any(f"'{value}'" in line for value in args[1:] if not value.startswith("-")):
                continue  # about a command-line argument (--remove NL on a graph without NL), not a file
            assert_error_line(line, folder)
    elif "--format" in args:
        fmt = args[args.index("--format") + 1]
        if fmt == "json":
            json.loads(output)  # valid JSON, no NaN or Infinity
            assert "NaN" not in output and "Infinity" not in output
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(output)))
            assert not rows or len({len(r) for r in rows if r}) <= 1, output
    return result.exit_code


ERROR_LINE = re.compile(r"^error: (?P<file>[^:]+?)(?::(?P<line>\d+))?: \S")


def assert_error_line(line: str, folder: Path) -> None:
    """One line, ``error: FILE[:LINE]: message``, FILE inside the graph folder."""
    match = ERROR_LINE.match(line)
    assert match, f"not a one-line file error: {line!r}"
    assert match["file"].startswith(folder.as_posix()), f"error names no graph file: {line!r}"


@contextmanager
def graph_folder(files: dict[str, bytes]) -> Iterator[Path]:
    """A temporary graph folder holding ``files`` (relative name -> bytes)."""
    root = Path(tempfile.mkdtemp(prefix="chainmap-fuzz-"))
    try:
        for name, data in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- emitting YAML/JSON with raw tokens


class Raw(str):
    """A plain scalar written verbatim (``1e400``, ``.nan``, ``NO``, ``010``, a 5000-digit number...)."""


def emit(value: Any, style: str) -> str:
    """Flow-style YAML (also JSON when no Raw and style == 'json') of ``value``."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**4000 else "9" * 5000
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else (".nan" if value != value else ".inf")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=style == "ascii")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {emit(v, style)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(emit(v, style) for v in value) + "]"
    raise TypeError(type(value))


def emit_file(data: dict[str, Any], style: str) -> str:
    if style == "block":
        try:
            return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        except (yaml.YAMLError, ValueError):
            pass  # Raw tokens or huge ints: fall back to flow style
    return "".join(f"{json.dumps(k)}: {emit(v, style)}\n" for k, v in data.items()) if style != "json" \
        else emit(data, style) + "\n"


# ---------------------------------------------------------------- strategies


NASTY_SCALARS = [
    Raw("1e400"), Raw("-1e400"), Raw("9" * 5000), Raw("-" + "9" * 5000), Raw("0x" + "f" * 5000), Raw("0o" + "7" * 5000),
    Raw(".nan"), Raw(".inf"), Raw("-.inf"), Raw("NaN"), Raw("Infinity"), Raw("-1"), Raw("2"), Raw("1.0000001"),
    Raw("-0.0"), Raw("5e-324"), Raw("NO"), Raw("ON"), Raw("YES"), Raw("off"), Raw("y"), Raw("~"), Raw("010"),
    Raw("0o17"), Raw("0x1F"), Raw("06"), Raw("1_000"), Raw("!!str x"), Raw("!!python/object:os.system {}"),
    Raw("&a [1, 2]"), Raw("*undefined"), Raw("{"), Raw("]"), Raw("'"), Raw('"'), Raw("? x"), Raw("- x"),
    Raw("<<"), Raw("|"), Raw(">-"), Raw("@x"), Raw("`x"), Raw("%x"), Raw("#"),
    "", " ", "\u202eevil", "<script>alert(1)</script>", "[bold red]x[/]", "\x00", "a\x00b", "\ufeff", "\u2028",
    "\x85", "\r\n", "\t", "\ud800", "🚢" * 50, "x" * 10_001, "NO", "CN", "cn", "QQ", "XZ", "EU", "06", "46", "47",
    "scanner", "asml", "office-pc", "a b", "a:b/c+d", "-x", ".",
    0, 1, -1, 2, 10**5000, 0.5, -0.5, 1.5, float("nan"), float("inf"), -float("inf"), 1e308, True, False, None,
    [], {}, [[]], {"any_of": []}, {"any_of": ["scanner"]}, {"supplier": "asml", "share": 1},
]


def nasty_values(depth: int = 2) -> st.SearchStrategy[Any]:
    base = st.one_of(st.sampled_from(NASTY_SCALARS), st.text(max_size=20), st.integers(), st.floats())
    if depth <= 0:
        return base
    return st.one_of(
        base,
        st.lists(nasty_values(depth - 1), max_size=3),
        st.dictionaries(st.sampled_from(["id", "name", "share", "any_of", "x", "<<", "country"]),
                        nasty_values(depth - 1), max_size=3),
        st.integers(MAX_DEPTH - 2, MAX_DEPTH + 40).map(lambda n: [[]] if n < 0 else _nested(n)),
    )


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (deep-copied) after a few drops, duplicates, retypes, renames and swaps."""
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["drop", "duplicate", "retype", "rename", "swap", "add"]))
        if action == "drop":
            del parent[last]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, json.loads(json.dumps(parent[last])))
        elif action == "retype":
            parent[last] = draw(nasty_values())
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["id", "name", "shares", "Share", "any_of", "id ", "<<"]))] = parent.pop(last)
        elif action == "swap" and isinstance(parent, list) and len(parent) > 1:
            parent.reverse()
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["source", "estimate", "note", "risk", "readiness", "value", "stock_days",
                                         "recovery_days", "year", "tags", "bogus"]))] = draw(nasty_values(1))
    return data


def spec_data(spec: Any) -> dict[str, Any]:
    """A generated GraphSpec as file data (defaults dropped)."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data.pop("settings", None)
    return data


base_graphs = st.one_of(st.just(MINI_DATA), specs(max_components=6).map(spec_data))


@st.composite
def split_files(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Spread ``data``'s sections over one to three files (YAML, YML or JSON, maybe in sub-folders)."""
    names = ["graph.yaml", "sub/parts.yml", "deep/er/more.json"]
    count = draw(st.integers(1, 3))
    files: dict[str, dict[str, Any]] = {names[i]: {} for i in range(count)}
    for section, value in data.items():
        files[names[draw(st.integers(0, count - 1))]][section] = value
    return files


@st.composite
def corrupted_bytes(draw: st.DrawFn, text: str) -> bytes:
    """Byte-level damage: truncation, random bytes, BOMs, CRLF, NULs, bad UTF-8."""
    raw = text.encode("utf-8", errors="surrogatepass")
    for _ in range(draw(st.integers(0, 2))):
        action = draw(st.sampled_from(["truncate", "inject", "bom", "crlf", "cr", "nul", "latin1", "utf16", "none"]))
        if action == "truncate" and raw:
            raw = raw[: draw(st.integers(0, len(raw)))]
        elif action == "inject":
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
        elif action == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif action == "crlf":
            raw = raw.replace(b"\n", b"\r\n")
        elif action == "cr":
            raw = raw.replace(b"\n", b"\r")
        elif action == "nul" and raw:
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + b"\x00" + raw[at:]
        elif action == "latin1":
            raw = raw + b"# caf\xe9\n"
        elif action == "utf16":
            raw = text.encode("utf-16", errors="surrogatepass")
    return raw


@st.composite
def hostile_folders(draw: st.DrawFn, byte_damage: bool) -> dict[str, bytes]:
    data = draw(mutated(draw(base_graphs)))
    files = draw(split_files(data))
    out: dict[str, bytes] = {}
    for name, content in files.items():
        style = "json" if name.endswith(".json") else draw(st.sampled_from(["block", "flow", "ascii"]))
        text = emit_file(content, style)
        out[name] = draw(corrupted_bytes(text)) if byte_damage else text.encode("utf-8", errors="surrogatepass")
    return out


# ---------------------------------------------------------------- fuzz tests


@PROFILE
@given(files=hostile_folders(byte_damage=False), command=st.sampled_from(COMMANDS))
def test_mutated_fields_exit_0_or_one_line_errors(files: dict[str, bytes], command: list[str]) -> None:
    with graph_folder(files) as folder:
        code = check_run(folder, ["validate"])
        event(f"validate exit {code}")  # see --hypothesis-show-statistics
        if code == 0:
            check_run(folder, command)


@PROFILE
@given(files=hostile_folders(byte_damage=True), command=st.sampled_from(COMMANDS))
def test_damaged_bytes_exit_0_or_one_line_errors(files: dict[str, bytes], command: list[str]) -> None:
    with graph_folder(files) as folder:
        event(f"exit {check_run(folder, command)}")


ANCHOR_DOCS = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n" for i in range(1, 9)),
    "a: &a [*a]\n",
    "a: &a {b: *a}\n",
    "components:\n  - &c {id: a, name: A}\n  - *c\n",
    "components:\n  - &c {id: a, name: A}\n  - <<: *c\n    id: b\n",
    "countries: &x [{id: CN, name: C}]\nblocs: [{id: b, name: B, members: *x}]\n",
    "x: *nowhere\n",
    "&a a: 1\n*a : 2\n",
]


@PROFILE
@given(doc=st.sampled_from(ANCHOR_DOCS), extra=st.integers(0, 9), command=st.sampled_from(COMMANDS))
def test_anchors_and_alias_bombs(doc: str, extra: int, command: list[str]) -> None:
    padding = "".join(f"p{i}: &p{i} [1, 2]\n" for i in range(extra))  # move the anchors around
    with graph_folder({"graph.yaml": MINI.joinpath("graph.yaml").read_bytes(),
                       "bomb.yaml": (padding + doc).encode()}) as folder:
        assert check_run(folder, command) == 2


@PROFILE
@given(name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()), command=st.sampled_from(COMMANDS))
def test_any_unicode_name_is_data_not_markup(name: str, command: list[str]) -> None:
    data = json.loads(json.dumps(MINI_DATA))
    data["suppliers"][0]["name"] = name  # asml
    data["countries"][1]["name"] = "\u202e" + name  # Netherlands
    with graph_folder({"graph.json": emit(data, "json").encode("utf-8", errors="surrogatepass")}) as folder:
        check_run(folder, command)


# ---------------------------------------------------------------- limits, through the CLI


def test_file_over_size_limit_is_one_clear_line(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"error: {big.as_posix()}: file is {MAX_FILE_BYTES + 1} bytes; the limit is {MAX_FILE_BYTES}\n"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.yaml", "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", f"a.yaml:1: nesting deeper than {MAX_DEPTH}"),
        ("a.yaml", "x:\n" + "".join("  " * (i + 1) + "-\n" for i in range(MAX_DEPTH + 2)), "nesting deeper than"),
        ("a.json", "\t" + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"a.json: nesting deeper than {MAX_DEPTH}"),
        ("a.yaml", "a: &a [" + ", ".join(["x"] * 100) + "]\n" + "".join(
            f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 100) + "]\n" for i in range(3)),
         f"expands to more than {MAX_NODES} values (alias bomb?)"),
        ("a.yaml", "a: &a [*a]\n", "a.yaml:1:"),
        ("a.yaml", "a: \x07\n", "a.yaml:1: character U+0007 is not allowed"),
        ("a.yaml", "a: 1\nb: [\x1b]\n", "a.yaml:2: character U+001B is not allowed"),
        ("a.json", '\t{"countries": [], "x": ' + "1" * 5000 + "}", "a.json:1: x: unknown field"),
    ],
)
def test_limits_give_clear_errors_through_cli(tmp_path: Path, name: str, text: str, expected: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert all(line.startswith(f"error: {tmp_path.as_posix()}/{name}") for line in lines), lines
    assert any(expected in line for line in lines), lines


def test_alias_bomb_is_refused_before_expanding() -> None:
    exponent = 12  # 10**12 values if expanded
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*{'a' if i == 0 else f'a{i - 1}'}"] * 10) + "]\n" for i in range(exponent))
    with pytest.raises(GraphFileError) as info:
        reader.read_text(bomb, "bomb.yaml")
    [problem] = info.value.problems
    assert problem.file == "bomb.yaml" and problem.line > 0 and "alias bomb" in problem.message


def test_broken_symlink_is_reported_not_skipped(tmp_path: Path) -> None:
    shutil.copy(MINI / "graph.yaml", tmp_path / "graph.yaml")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {tmp_path.as_posix()}/gone.yaml: cannot read")


# ---------------------------------------------------------------- YAML gotchas


@pytest.mark.parametrize("word", ["NO", "No", "no", "ON", "On", "YES", "Yes", "off", "OFF", "y", "Y", "n", "N"])
def test_yaml11_words_stay_strings_as_names_and_references(tmp_path: Path, word: str) -> None:
    (tmp_path / "g.yaml").write_text(
        f"countries: [{{id: CN, name: China}}, {{id: NO, name: {word}}}]\n"
        f"suppliers: [{{id: s, name: {word}, country: NO}}]\n"
        f"components: [{{id: c, name: {word}, sector: '39', suppliers: [{{supplier: s, share: 1}}, {{country: NO, share: 1}}]}}]\n"
        f"sectors: [{{code: '39', name: {word}, products: [c]}}]\n", encoding="utf-8")
    rows = json.loads(runner.invoke(app, ["spof", str(tmp_path), "-f", "json"]).output)
    assert [(r["node"], r["name"]) for r in rows] == [("NO", word)]


@pytest.mark.parametrize(
    ("scalar", "value"),
    [("010", "010"), ("007", "007"), ("-010", "-010"), ("0", 0), ("10", 10), ("0o17", 15), ("0x1F", 31),
     ("1_000", "1_000"), ("1e3", 1000.0), ("+1", 1), ("0.5", 0.5), ("true", True), ("True", True), ("yes", "yes"),
     ("null", None), ("~", None), (".5", 0.5), ("1.", 1.0), (".NaN", "nan"), ("-.Inf", float("-inf")),
     ("9" * 4001, float("inf")), ("2001-01-01", "2001-01-01"), ("12:30", "12:30"), ("0b101", "0b101")],
)
def test_plain_scalars_resolve_by_yaml12_core_with_leading_zero_codes(scalar: str, value: Any) -> None:
    got = reader.read_text(f"x: {scalar}\n", "a.yaml").data["x"]
    if value == "nan":
        assert got != got
    else:
        assert got == value and type(got) is type(value)


def test_octal_and_hex_looking_ids_give_a_clear_error(tmp_path: Path) -> None:
    """``0o17``/``0x1F`` are YAML 1.2 integers: as an id they are refused with file, line and field (quote them)."""
    (tmp_path / "g.yaml").write_text("components:\n  - {id: 0o17, name: A}\n  - {id: '0x1F', name: B}\n")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"error: {tmp_path.as_posix()}/g.yaml:2: components[0].id: Input should be a valid string\n"


def test_bom_and_crlf_load_like_plain_text(tmp_path: Path) -> None:
    text = (MINI / "graph.yaml").read_text(encoding="utf-8")
    plain = json.loads(runner.invoke(app, ["spof", str(MINI), "-f", "json"]).output)
    (tmp_path / "graph.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert json.loads(runner.invoke(app, ["spof", str(tmp_path), "-f", "json"]).output) == plain


def test_union_errors_name_the_branch_the_author_meant(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text(
        "components:\n  - {id: a, name: A, requires: [{any_of: []}, {anyof: [a]}, 5]}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    lines = [line.split("g.yaml:2: ")[1] for line in result.output.splitlines()]
    assert lines == [
        "components[0].requires[0].any_of: List should have at least 1 item after validation, not 0",
        "components[0].requires[1].anyof: unknown field (typo?)",
        "components[0].requires[2]: Input should be a valid string",
    ]


def test_bad_home_in_a_file_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text("countries: [{id: CN, name: C}]\nchainmap:\n  home: QQ\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.output == f"error: {tmp_path.as_posix()}/g.yaml:3: chainmap.home: 'QQ' is not an ISO 3166-1 alpha-2 code\n"
    result = runner.invoke(app, ["validate", str(MINI), "--home", "QQ"])
    assert result.exit_code == 2 and result.output == "error: --home: 'QQ' is not an ISO 3166-1 alpha-2 code\n"


# ---------------------------------------------------------------- outputs


def test_write_refuses_to_overwrite_an_input_even_through_a_link(tmp_path: Path) -> None:
    graph = tmp_path / "graph.yaml"
    shutil.copy(MINI / "graph.yaml", graph)
    before = graph.read_bytes()
    (tmp_path / "link.yaml").symlink_to(graph)
    for target in (graph, tmp_path / "link.yaml", tmp_path / "sub" / ".." / "graph.yaml"):
        with pytest.raises(OutputError, match=r"refusing to overwrite input graph file|is a symbolic link"):
            write_text_atomic(target, "oops", inputs=[str(graph)])
    assert graph.read_bytes() == before


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")

    def refuse(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=r"cannot write .*out\.json: No space left on device"):
        write_text_atomic(out, "new")
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_interrupted_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(out, "new")
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_rewrite_keeps_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old")
    out.chmod(0o600)
    write_text_atomic(out, "new")
    assert out.read_text() == "new" and out.stat().st_mode & 0o777 == 0o600


def test_schema_output_into_missing_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["title"] == "chainmap graph file"


@pytest.mark.parametrize("make", ["folder", "under-a-file"])
def test_schema_output_onto_folder_or_under_a_file_exits_2(tmp_path: Path, make: str) -> None:
    if make == "folder":
        target = tmp_path / "out"
        target.mkdir()
        expected = f"error: output {target} is a folder; give a file name\n"
    else:
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "schema.json"
        expected = f"error: cannot write {target}:"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 2 and result.output.startswith(expected), result.output
    assert result.output.count("\n") == 1


def test_check_output_accepts_a_new_file_beside_inputs(tmp_path: Path) -> None:
    assert check_output(tmp_path / "new.yaml", [tmp_path / "graph.yaml"]) == tmp_path / "new.yaml"


# ---------------------------------------------------------------- errors as data


def test_error_hierarchy() -> None:
    for cls in (GraphFileError, ScenarioError, UnknownNodeError, OutputError, UsageError):
        assert issubclass(cls, ChainmapError)
    assert issubclass(UsageError, ValueError)
    error = GraphFileError([Problem("b.yaml", 2, "x", "bad\nthing"), Problem("a.yaml", 0, "", "worse")])
    assert [(p.file, p.line, p.field) for p in error.problems] == [("a.yaml", 0, ""), ("b.yaml", 2, "x")]
    assert error.lines() == ["a.yaml: worse", "b.yaml:2: x: bad thing"]


@pytest.mark.parametrize(
    "error",
    [
        GraphFileError([Problem("g.yaml", 3, "components[0].id", "bad"), Problem("h.yaml", 0, "", "two\nlines")]),
        ScenarioError("--remove 'atlantis': no such node"),
        UnknownNodeError("no node 'x'"),
        OutputError("refusing to overwrite input graph file g.yaml"),
        OSError(13, "Permission denied"),
        UsageError("bad\nvalue"),
        RecursionError("too deep"),
    ],
)
def test_every_error_maps_to_exit_2_one_line_each(error: Exception, capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    with pytest.raises(typer.Exit) as info, errors_as_exit():
        raise error
    assert info.value.exit_code == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    expected = len(error.problems) if isinstance(error, GraphFileError) else 1
    assert len(lines) == expected and all(line.startswith("error: ") for line in lines), err
    if isinstance(error, GraphFileError):
        assert lines[0] == "error: g.yaml:3: components[0].id: bad" and lines[1] == "error: h.yaml: two lines"


@pytest.mark.parametrize("error", [ValueError("bad\nvalue"), KeyError("x"), TypeError("t"), ZeroDivisionError()])
def test_other_exceptions_are_internal_errors_exit_70(error: Exception, capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    with pytest.raises(typer.Exit) as info, errors_as_exit():
        raise error
    assert info.value.exit_code == 70
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"internal error: {type(error).__name__}")


@pytest.mark.parametrize(
    ("args", "module"),
    [(["render"], "chainmap.render.html"), (["export", "-f", "json"], "chainmap.io.exporters"),
     (["export", "-f", "graphml"], "chainmap.io.exporters")],
)
def test_cli_outputs_never_overwrite_an_input_graph_file(tmp_path: Path, args: list[str], module: str) -> None:
    pytest.importorskip(module)
    graph = tmp_path / "g" / "graph.yaml"
    graph.parent.mkdir()
    shutil.copy(MINI / "graph.yaml", graph)
    before = graph.read_bytes()
    result = runner.invoke(app, [args[0], str(graph.parent), *args[1:], "-o", str(graph)])
    assert result.exit_code == 2 and result.output == f"error: refusing to overwrite input graph file {graph}\n"
    assert graph.read_bytes() == before
