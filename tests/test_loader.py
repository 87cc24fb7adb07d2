"""Loading graph files: merge rules, every class of bad input, YAML gotchas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import chainmap
from chainmap.errors import GraphFileError
from chainmap.model.load import load_spec

GOOD = """\
countries:
  - {id: CN, name: China}
  - {id: NO, name: Norway}
suppliers:
  - {id: equinor, name: Equinor, country: NO, source: annual report}
components:
  - id: gas
    name: Natural gas
    suppliers: [{supplier: equinor, share: 1, source: annual report}]
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(GraphFileError) as info:
        load_spec(path)
    return info.value.lines()


def test_good_file_loads_and_norway_is_a_string(tmp_path):
    write(tmp_path, "g.yaml", GOOD)
    graph = chainmap.load(tmp_path)
    assert graph.country_ids == ["CN", "NO"]
    assert graph.suppliers["equinor"].country == "NO"
    assert graph.warnings == []


def test_folder_merge_is_recursive_and_order_independent(tmp_path):
    write(tmp_path, "b/countries.yaml", "countries: [{id: CN, name: China}, {id: JP, name: Japan}]\n")
    write(tmp_path, "a/parts.json", json.dumps({"components": [{"id": "x", "name": "X", "requires": ["y"]}]}))
    write(tmp_path, "c/more.yml", "components:\n  - {id: y, name: Y, suppliers: [{country: JP, share: 1, source: s}]}\n")
    write(tmp_path, ".hidden/skip.yaml", "not: [valid")
    write(tmp_path, "notes.md", "ignored")
    graph = chainmap.load(tmp_path)
    assert graph.component_ids == ["x", "y"]
    assert graph.files == [f"{tmp_path.as_posix()}/a/parts.json", f"{tmp_path.as_posix()}/b/countries.yaml",
                           f"{tmp_path.as_posix()}/c/more.yml"]


def test_duplicate_id_names_both_places(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", "components:\n  - {id: gas, name: Gas again}\n")
    [line] = problems(tmp_path)
    assert line.startswith(f"{tmp_path.as_posix()}/b.yaml:2: components[0].id: duplicate id 'gas' (first at ")
    assert "a.yaml:7)" in line


def test_all_errors_reported_together_with_file_line_field(tmp_path):
    write(tmp_path, "a.yaml", GOOD + "  - id: chip\n    name: Chip\n    requires: [wafer]\n    shares: 1\n")
    write(tmp_path, "b.yaml", "components:\n  - {id: w, name: W, suppliers: [{country: US, share: 1.5}]}\n")
    lines = problems(tmp_path)
    assert any("a.yaml:13: components[1].shares: unknown field" in x for x in lines), lines
    assert any("b.yaml:2: components[0].suppliers[0].share: Input should be less than or equal to 1" in x
               for x in lines), lines
    assert len(lines) == 2  # the unknown reference is checked only once the files validate


def test_unknown_references(tmp_path):
    write(tmp_path, "a.yaml", GOOD + "  - id: chip\n    name: Chip\n    sector: '39'\n    requires: [wafer, {any_of: [gas, fab]}]\n"
          "    suppliers: [{supplier: tsmc, share: 1}, {country: TW, share: 1}]\n")
    lines = problems(tmp_path)
    assert not any("sector" in x for x in lines), lines  # a valid division code needs no declaration
    assert any("components[1].requires[0]: unknown component 'wafer'" in x for x in lines)
    assert any("components[1].requires[1].any_of[1]: unknown component 'fab'" in x for x in lines)
    assert any("components[1].suppliers[0].supplier: unknown supplier 'tsmc'" in x for x in lines)
    assert any("components[1].suppliers[1].country: unknown country 'TW'" in x for x in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("components: [\n  {id: a\n", "a.yaml:3: YAML syntax error"),
        ("- just\n- a list\n", "a.yaml:1: a graph file must be a mapping of sections"),
        ("a: 1\na: 2\n", "a.yaml:2: duplicate key 'a'"),
        ("x: !!python/object:os.system {}\n", "a.yaml:1: explicit YAML tag"),
        ("---\na: 1\n---\nb: 2\n", "a.yaml:3: more than one YAML document"),
        ("x: " + "[" * 100 + "]" * 100 + "\n", "nesting deeper than 64 levels"),
        ("countries: [{id: QQ, name: Nowhere}]\n", "a.yaml:1: countries[0].id: 'QQ' is not an ISO 3166-1 alpha-2 code"),
        ("components: [{id: a, name: A, suppliers: [{country: CN, share: .nan}]}]\n", "share: Input should be a finite number"),
        ("components: [{id: a, name: A, suppliers: [{country: CN, share: 0}]}]\ncountries: [{id: CN, name: C}]\n",
         "components[0].suppliers: shares sum to 0"),
        ("components: [{id: a, name: A, suppliers: [{share: 1}]}]\n", "give exactly one of 'supplier' or 'country'"),
        ("sectors: [{code: '05', name: Farming}]\n", "sectors[0].code: String should match pattern"),
        ("1: 2\n", "mapping key 1 is not a string"),
    ],
)
def test_bad_yaml_is_one_clear_line(tmp_path, text, expected):
    write(tmp_path, "a.yaml", text)
    lines = problems(tmp_path)
    assert any(expected in line for line in lines), lines
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_non_utf8_bytes(tmp_path):
    write(tmp_path, "a.yaml", b"countries:\n  - {id: CN, name: \xff\xfe}\n")
    assert problems(tmp_path) == [f"{tmp_path.as_posix()}/a.yaml:2: not UTF-8 text (byte 30)"]


def test_alias_bomb_is_refused_quickly(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    write(tmp_path, "a.yaml", bomb)
    [line] = problems(tmp_path)
    assert "alias bomb" in line


def test_recursive_alias_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "a: &a [*a]\n")
    assert any("nesting deeper" in x or "recursive" in x or "YAML" in x for x in problems(tmp_path))


@pytest.mark.parametrize("scalar", ["NO", "ON", "YES", "off", "y", "n"])
def test_yaml11_booleans_stay_strings(tmp_path, scalar):
    write(tmp_path, "a.yaml", f"components: [{{id: {scalar}, name: {scalar}}}]\n")
    assert chainmap.load(tmp_path).component_ids == [scalar]


def test_octal_looking_codes_stay_text(tmp_path):
    write(tmp_path, "a.yaml", "sectors: [{code: 06, name: Coal, products: [010]}]\ncomponents: [{id: 010, name: Coal}]\n")
    graph = chainmap.load(tmp_path)
    assert list(graph.sectors) == ["06"] and graph.component_ids == ["010"]


def test_json_with_tabs_falls_back_to_json_parser(tmp_path):
    write(tmp_path, "a.json", '{\n\t"countries": [{"id": "CN", "name": "China"}]\n}\n')
    assert chainmap.load(tmp_path).country_ids == ["CN"]


def test_missing_path_and_empty_folder(tmp_path):
    assert "no such file or folder" in problems(tmp_path / "nope")[0]
    assert "no graph files" in problems(tmp_path)[0]


def test_warnings_kept_apart(tmp_path):
    write(tmp_path, "a.yaml", "countries: [{id: CN, name: C}, {id: US, name: U, risk: 0.5}]\n"
          "components: [{id: a, name: A, suppliers: [{country: CN, share: 0.9, source: s}, {country: US, share: 0.9}]}]\n")
    graph = chainmap.load(tmp_path)
    messages = [w.message for w in graph.warnings]
    assert "shares sum to 1.8 > 1 (normalised)" in messages
    assert messages.count("fact without a source") == 2


def test_second_settings_block_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "chainmap: {home: CN}\n")
    write(tmp_path, "b.yaml", "chainmap: {home: US}\n")
    assert "settings given twice" in problems(tmp_path)[0]
