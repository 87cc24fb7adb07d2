"""Read one YAML 1.2 / JSON file into plain values, remembering each field's line.

PyYAML parses (libyaml when present); scalars are then resolved with the YAML
1.2 *core* schema instead of PyYAML's YAML 1.1 rules, so ``NO`` (Norway),
``ON`` and ``YES`` stay strings. A plain scalar of digits with a leading zero
(``06``) stays a string too, since that is what an author of a code or an id
means. Explicit tags, several documents, duplicate keys, non-string keys,
deep nesting and alias expansion beyond a budget are errors.

Examples
--------
>>> doc = read_text("countries:\\n  - {id: NO, name: Norway}\\n", "c.yaml")
>>> doc.data
{'countries': [{'id': 'NO', 'name': 'Norway'}]}
>>> doc.line_of(("countries", 0, "name"))
2
"""

from __future__ import annotations

import gc
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from chainmap.errors import GraphFileError, Problem

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "Document", "read_file", "read_text"]

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Largest graph file read (bytes)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted."""
MAX_NODES = MAX_FILE_BYTES // 2
"""Most values one file may expand to: a value takes at least two bytes (``1,``), so only aliases can reach it
(the guard against alias bombs; a file within :data:`MAX_FILE_BYTES` never trips it without aliases)."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """The plain data of one file and the line (1-based) of every value in it."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """Line of the deepest known prefix of ``loc`` (0 when nothing is known)."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 0)


def resolve_plain(text: str) -> Any:
    """Resolve a plain (unquoted) scalar by the YAML 1.2 core schema.

    >>> [resolve_plain(s) for s in ["NO", "yes", "true", "06", "12", "0.5", ".inf", "~"]]
    ['NO', 'yes', True, '06', 12, 0.5, inf, None]
    """
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        digits = text.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            return text  # '06', '010': a code, not a number
        if len(digits) > 4000:
            return math.inf if not text.startswith("-") else -math.inf
        return int(text)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def read_file(path: Path, display: str | None = None) -> Document:
    """Read ``path`` (YAML or JSON) into a :class:`Document`; raise GraphFileError."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _error(name, 0, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise _error(name, 0, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _error(name, line, f"not UTF-8 text (byte {exc.start})") from None
    return read_text(text, name, is_json=path.suffix.lower() == ".json")


_YAML_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _line_map(text: str) -> list[int] | None:
    """Real line (counting ``\\n``, ``\\r\\n`` and ``\\r``) of each YAML line, when YAML also breaks lines at
    NEL, U+2028 or U+2029 (else None: the numbers agree)."""
    if not any(c in text for c in "\x85\u2028\u2029"):
        return None
    out = [1]
    real = 1
    for match in _YAML_BREAKS.finditer(text):
        if match.group() in ("\n", "\r\n", "\r"):
            real += 1
        out.append(real)
    return out


def read_text(text: str, name: str, is_json: bool = False) -> Document:
    """Parse ``text`` (named ``name`` in errors) into a :class:`Document`.

    Line numbers count ``\\n`` (and ``\\r``) only, as editors do, even where YAML also breaks lines (NEL, U+2028):

    >>> read_text("a: 1\\nb: 'x\\u2028y'\\nc: 2\\n", "t.yaml").line_of(("c",))
    3
    """
    if "\x00" in text:
        raise _error(name, text[: text.index("\x00")].count("\n") + 1, "NUL byte in text")
    lines = _line_map(text)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # composing allocates millions of objects; the cyclic GC would make it ~8x slower
    try:
        doc = _read_yaml(text, name, is_json)
    except GraphFileError as exc:
        if lines is None:
            raise
        raise GraphFileError([replace(p, line=_real(lines, p.line)) for p in exc.problems]) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    if lines is not None:
        doc.lines = {key: _real(lines, line) for key, line in doc.lines.items()}
    return doc


def _real(lines: list[int], line: int) -> int:
    return lines[min(line, len(lines)) - 1] if line > 0 else line


def _read_yaml(text: str, name: str, is_json: bool) -> Document:
    try:
        _prescan(text, name)
        node = yaml.compose(text, Loader=_Loader)
    except GraphFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        if is_json:
            return _read_json(text, name)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "syntax error"
        raise _error(name, line, f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as exc:
        if is_json:
            return _read_json(text, name)
        position = max(0, min(int(exc.position), len(text)))
        line = text[:position].count("\n") + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _error(name, line, f"character U+{character:04X} is not allowed in YAML (escape it in a quoted string)") from None
    except yaml.YAMLError as exc:
        raise _error(name, 0, f"YAML error: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise _error(name, 0, f"nesting deeper than {MAX_DEPTH} levels") from None
    doc = Document(name, None)
    if node is None:
        return doc
    _check_expansion(node, name)
    budget = [MAX_NODES]
    doc.data = _convert(node, (), doc, budget, 0)
    return doc


def _check_expansion(root: yaml.Node, name: str) -> None:
    """Refuse, before expanding anything, a document whose aliases expand beyond MAX_NODES values.

    Sizes are computed once per distinct node (aliases share node objects), so an
    alias bomb of a billion values is refused in microseconds.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active or depth > MAX_DEPTH + 1:
            raise _error(name, node.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    if size(root, 0) <= MAX_NODES:
        return
    node = root  # descend to the smallest node that is still too big: where the bomb is
    while True:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [v for _, v in node.value]
        big = [c for c in children if sizes.get(id(c), 0) > MAX_NODES]
        if not big:
            break
        node = big[0]
    raise _error(name, node.start_mark.line + 1, f"expands to more than {MAX_NODES} values (alias bomb?)")


def _prescan(text: str, name: str) -> None:
    """Walk the event stream once: depth, explicit tags, document count."""
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _error(name, line, "more than one YAML document in one file")
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _error(name, line, f"nesting deeper than {MAX_DEPTH} levels")
            _check_tag(event.tag, name, line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            _check_tag(event.tag, name, line)


def _check_tag(tag: str | None, name: str, line: int) -> None:
    if tag not in (None, "!"):
        raise _error(name, line, f"explicit YAML tag {tag!r} is not allowed")


def _convert(node: yaml.Node, path: Path_, doc: Document, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _error(doc.file, node.start_mark.line + 1, f"expands to more than {MAX_NODES} values (alias bomb?)")
    if depth > MAX_DEPTH:
        raise _error(doc.file, node.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels (recursive alias?)")
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style in (None, ""):
            return resolve_plain(node.value)
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc, budget, depth + 1) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = _convert(key_node, (*path, "<key>"), doc, budget, depth + 1)
            if not isinstance(key, str):
                raise _error(doc.file, line, f"mapping key {key!r} is not a string")
            if key in out:
                raise _error(doc.file, line, f"duplicate key {key!r}", _dotted(path))
            doc.lines[(*path, key)] = line
            out[key] = _convert(value_node, (*path, key), doc, budget, depth + 1)
        doc.lines.pop((*path, "<key>"), None)
        return out
    raise _error(doc.file, node.start_mark.line + 1, "unsupported YAML node")  # pragma: no cover


def _read_json(text: str, name: str) -> Document:
    """Fallback for JSON that YAML does not accept (tabs): values without lines."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ValueError(f"duplicate key {key!r}")
            out[key] = value
        return out

    def constant(value: str) -> Any:
        raise ValueError(f"{value} is not a number")

    def integer(digits: str) -> Any:
        value = resolve_plain(digits)  # same rule as YAML: more than 4000 digits is infinite
        return value if not isinstance(value, str) else int(digits)

    if _json_depth(text) > MAX_DEPTH:
        raise _error(name, 0, f"nesting deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer)
    except json.JSONDecodeError as exc:
        raise _error(name, exc.lineno, f"JSON syntax error: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise _error(name, 0, f"JSON error: {' '.join(str(exc).split())}") from None
    return Document(name, data, {(): 1})


def _json_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _error(name: str, line: int, message: str, fieldname: str = "") -> GraphFileError:
    return GraphFileError([Problem(name, line, fieldname, message)])
