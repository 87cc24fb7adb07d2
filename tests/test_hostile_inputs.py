"""Issue 16, inputs: a folder is a contract, numbers are finite and capped, names and ids are unambiguous."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import chainmap
from chainmap.analysis.priority import priorities
from chainmap.cli.app import main
from chainmap.errors import GraphFileError
from chainmap.io.columnar import load_columnar

MINI = "tests/data/mini"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def columnar(folder: Path, components: str = "id,name,value,stock_days\nwafer,Wafer,,\n") -> Path:
    write(folder, "countries.csv", "id,name\nCN,China\nJP,Japan\n")
    write(folder, "suppliers.csv", "id,name,country\nshin,Shin-Etsu,JP\n")
    write(folder, "components.csv", components)
    write(folder, "supplies.csv", "component,supplier,country,share,source\nwafer,shin,,1,x\n")
    return folder


def messages(path: Path) -> list[str]:
    with pytest.raises(GraphFileError) as exc:
        chainmap.load(path)
    return [f"{Path(p.file).name}:{p.line}:{p.field}: {p.message}" for p in exc.value.problems]


def test_lower_case_home_is_china():
    lower, upper = chainmap.load(MINI, home="cn"), chainmap.load(MINI, home="CN")
    assert lower.home == "CN"
    assert [(r.id, r.score) for r in priorities(lower)] == [(r.id, r.score) for r in priorities(upper)]


def test_lower_case_home_columnar(tmp_path):
    assert load_columnar(columnar(tmp_path / "c"), home="jp").home == "JP"


@pytest.mark.parametrize("value", ["inf", "1e309", "-inf", "1e16"])
def test_columnar_value_must_be_finite_and_capped(tmp_path, value):
    folder = columnar(tmp_path / "c", f"id,name,value,stock_days\nwafer,Wafer,{value},\n")
    assert any(m == "components.csv:2:value: must be a number in [0, 1e+15]" for m in messages(folder))


def test_columnar_days_capped(tmp_path):
    folder = columnar(tmp_path / "c", "id,name,value,stock_days\nwafer,Wafer,,1e9\n")
    assert "components.csv:2:stock_days: must be a number in [0, 36500]" in messages(folder)


def test_yaml_values_that_would_overflow_sums_are_refused(tmp_path):
    (tmp_path / "g.yaml").write_text("countries: [{id: CN, name: China}]\ncomponents:\n"
                                     "  - {id: a, name: A, value: 1.7e308}\n  - {id: b, name: B, value: 1.7e308}\n")
    found = messages(tmp_path)
    assert len(found) == 2 and all("less than or equal to 1000000000000000" in m for m in found)


@pytest.mark.parametrize("name", ['"x\\x01y"', '"nul\\0"', '"line\\u2028sep"', '"next\\x85line"', '"two\\nlines"'])
def test_control_characters_in_names_are_errors(tmp_path, name):
    (tmp_path / "g.yaml").write_text(f"components:\n  - {{id: a, name: {name}}}\n")
    found = messages(tmp_path)
    assert len(found) == 1 and "control character" in found[0] and "g.yaml:2:components[0].name" in found[0]


def test_control_characters_in_columnar_names_are_errors(tmp_path):
    folder = columnar(tmp_path / "c", 'id,name\nwafer,"Wa\x01fer"\n')
    assert any("components.csv:2:name: control character" in m for m in messages(folder))


def test_ids_differing_only_by_case_are_errors(tmp_path):
    (tmp_path / "g.yaml").write_text("countries: [{id: NL, name: NL}]\nsuppliers:\n"
                                     "  - {id: asml, name: ASML, country: NL}\n  - {id: ASML, name: ASML, country: NL}\n")
    assert messages(tmp_path) == ["g.yaml:4:suppliers[1].id: id 'ASML' differs from 'asml' only by case "
                                  f"(at {tmp_path.as_posix()}/g.yaml:3)"]


def test_columnar_ids_differing_only_by_case_are_errors(tmp_path):
    folder = columnar(tmp_path / "c", "id,name\nwafer,Wafer\nWAFER,Wafer 2\n")
    assert "components.csv:3:id: id 'WAFER' differs from 'wafer' only by case" in messages(folder)


def test_yaml_and_columnar_in_one_folder_is_an_error(tmp_path):
    folder = columnar(tmp_path / "c")
    shutil.copy(Path(MINI) / "graph.yaml", folder / "graph.yaml")
    found = messages(folder)
    assert len(found) == 1 and "YAML graph file in a columnar folder" in found[0]


def test_duplicate_csv_column_is_an_error(tmp_path, capsys):
    folder = columnar(tmp_path / "c", "id,id,name\nwafer,wafer,Wafer\n")
    assert "components.csv:1:id: duplicate column" in messages(folder)
    code, _, err = run(capsys, "validate", str(folder))
    assert code == 2 and "Traceback" not in err


def test_duplicate_setting_is_an_error(tmp_path):
    folder = columnar(tmp_path / "c")
    write(folder, "settings.csv", "key,value\nhome,CN\nhome,JP\n")
    assert "settings.csv:3:key: duplicate setting 'home'" in messages(folder)


def test_symlinked_subfolder_outside_is_reported(tmp_path):
    g = tmp_path / "g"
    shutil.copytree(MINI, g)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "more.yaml").write_text("components: [{id: extra, name: Extra}]\n")
    (g / "linked").symlink_to(outside, target_is_directory=True)
    assert messages(g) == ["linked:0:: symbolic link to a folder outside the graph folder (not followed)"]


def test_symlinked_subfolder_inside_is_followed_once(tmp_path):
    g = tmp_path / "g"
    shutil.copytree(MINI, g)
    (g / "sub").mkdir()
    (g / "sub" / "more.yaml").write_text("components: [{id: extra, name: Extra}]\n")
    (g / "again").symlink_to(g / "sub", target_is_directory=True)
    (g / "sub" / "loop").symlink_to(g, target_is_directory=True)
    assert chainmap.load(g).n_components == 8


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_subfolder_is_reported(tmp_path):  # pragma: no cover - not as root
    g = tmp_path / "g"
    shutil.copytree(MINI, g)
    (g / "locked").mkdir()
    (g / "locked" / "x.yaml").write_text("components: []\n")
    (g / "locked").chmod(0)
    try:
        assert any("cannot read folder" in m for m in messages(g))
    finally:
        (g / "locked").chmod(0o755)


def test_device_as_input_is_named_as_such(capsys):
    code, _, err = run(capsys, "validate", "/dev/null")
    assert code == 2 and "not a regular file or folder" in err and "no such" not in err


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\u2029"])
def test_yaml_line_separators_do_not_shift_line_numbers(tmp_path, separator):
    (tmp_path / "g.yaml").write_text(f"components:\n  - {{id: a, name: A, note: 'x{separator}y'}}\n"
                                     "  - {id: b, name: B, bogus: 1}\n", encoding="utf-8")
    assert messages(tmp_path) == ["g.yaml:3:components[1].bogus: unknown field (typo?)"]


def test_node_limit_is_reachable_only_through_aliases():
    from chainmap.model.reader import MAX_FILE_BYTES, MAX_NODES

    assert MAX_NODES * 2 >= MAX_FILE_BYTES  # a value takes >= 2 bytes: a plain file within the byte limit fits


@pytest.mark.parametrize("components, expected", [
    ("id,name,value\nwafer,Wafer,1\nchip,Chip\n", "components.csv:3:: CSV parse error: Expected 3 columns, got 2"),
    ("id,name,value\nwafer,Wafer,1\nchip,Chip,lots\n", "components.csv:3:value: In CSV column #2: CSV conversion"),
])
def test_pyarrow_errors_name_the_line(tmp_path, components, expected):
    folder = columnar(tmp_path / "c", components)
    assert any(m.startswith(expected) for m in messages(folder)), messages(folder)
