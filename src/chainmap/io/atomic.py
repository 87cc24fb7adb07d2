"""Atomic output: write to a temporary file beside the target, then rename.

A reader never sees a half-written file, and an interrupted write leaves the
old file (if any) in place. :func:`check_output` refuses to overwrite one of
the graph's input files.

Examples
--------
>>> import pathlib, tempfile
>>> target = pathlib.Path(tempfile.mkdtemp()) / "sub" / "out.txt"
>>> write_text_atomic(target, "hello")
>>> target.read_text()
'hello'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from chainmap.errors import OutputError

__all__ = ["check_output", "write_bytes_atomic", "write_text_atomic"]


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Resolve ``path`` and refuse it when it is one of ``inputs`` or a folder."""
    target = Path(path)
    resolved = target.resolve()
    for item in inputs:
        if Path(item).resolve() == resolved:
            raise OutputError(f"refusing to overwrite input graph file {target}")
    if target.is_dir():
        raise OutputError(f"output {target} is a folder; give a file name")
    return target


def write_bytes_atomic(path: str | Path, data: bytes, inputs: Iterable[str | Path] = ()) -> None:
    """Write ``data`` to ``path`` atomically (parent folders are created)."""
    target = check_output(path, inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets 0o666 less the umask (as ``open`` would)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomic(path: str | Path, text: str, inputs: Iterable[str | Path] = ()) -> None:
    """Write UTF-8 ``text`` (newlines as given) to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"), inputs)
