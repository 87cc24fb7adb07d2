"""Coverage-guided fuzz target for the graph loader (atheris / libFuzzer). Not run in CI.

Feeds arbitrary bytes to :func:`chainmap.model.reader.read_text` and, through a
temporary graph folder, to :func:`chainmap.model.load.load_spec`; any exception
other than :class:`chainmap.errors.ChainmapError` (and any error line without a
file) is a crash, and libFuzzer saves the input as ``crash-*``.

Usage::

    pip install atheris
    python fuzz/fuzz_loader.py -max_total_time=600 -timeout=5 fuzz/corpus
    python fuzz/fuzz_loader.py crash-1234abcd        # replay one input

The corpus folder (created if missing) is seeded from tests/data/mini and
grows with the inputs libFuzzer finds interesting.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import yaml  # noqa: F401  (instrument PyYAML too: its branches guide the fuzzer)

    from chainmap.errors import ChainmapError
    from chainmap.model.load import load_spec
    from chainmap.model.reader import read_text

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.mkdtemp(prefix="chainmap-atheris-"))


def check_lines(error: ChainmapError) -> None:
    for line in error.lines():
        if "\n" in line or not line.strip():
            raise AssertionError(f"error is not one line: {line!r}")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    as_json = fdp.ConsumeBool()
    raw = fdp.ConsumeBytes(fdp.remaining_bytes())
    text = raw.decode("utf-8", errors="replace")
    try:
        read_text(text, "fuzz.json" if as_json else "fuzz.yaml", is_json=as_json)
    except ChainmapError as exc:
        check_lines(exc)
    path = WORK / ("fuzz.json" if as_json else "fuzz.yaml")
    path.write_bytes(raw)
    try:
        load_spec(path)
    except ChainmapError as exc:
        check_lines(exc)
        problems = getattr(exc, "problems", [])
        if any(not p.file for p in problems):
            raise AssertionError(f"a problem names no file: {exc}") from None


def seed_corpus(argv: list[str]) -> None:
    """Put the mini graph in the corpus folder (the first non-option argument), if one is given."""
    folders = [a for a in argv[1:] if not a.startswith("-")]
    if folders and not Path(folders[0]).is_file():
        corpus = Path(folders[0])
        corpus.mkdir(parents=True, exist_ok=True)
        for source in (ROOT / "tests" / "data" / "mini").glob("*.yaml"):
            shutil.copy(source, corpus / f"seed-{source.name}")


def main() -> None:
    seed_corpus(sys.argv)
    try:
        atheris.Setup(sys.argv, test_one_input)
        atheris.Fuzz()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
