"""A cache of compiled graphs on disk, keyed by the graph's content, so a second command skips the load.

:func:`load_cached` returns the graph a load of ``path`` would give. The key
is a hash (BLAKE2b) of the digests (SHA-256: hardware instructions on most CPUs hash a million-component
graph's 300 MB in a sixth of a second, twice as fast as BLAKE2b) of every file the load reads, their paths,
the ``home`` override, the chainmap version and a fingerprint of the loader's
own modules; any change to one of them is another key, so an edited graph is
always loaded again. The cached form is the graph's arrays, its compiled
evaluation order (strongly connected sets and schedule) and, for a graph
loaded from YAML/JSON files, its pydantic spec, origins and warnings.

Where: ``$CHAINMAP_CACHE`` if set (``off``, ``0``, ``no`` or ``false``
turns the cache off), else ``$XDG_CACHE_HOME/chainmap``, else
``~/.cache/chainmap``. One file per graph (``graph-KEY.pickle``, written to
a temporary file and renamed into place, so a reader never sees half of
one); the :data:`KEEP` most recently used are kept. Deleting the folder, or
any file in it, is always safe. A file that cannot be read back (truncated,
corrupt, from another version) is ignored, removed and recomputed. Only
graphs whose files total at least :data:`MIN_BYTES` (``$CHAINMAP_CACHE_MIN_BYTES``)
are cached: a small graph loads faster than its cache file is checked.

The command line uses the cache (``chainmap --no-cache ...`` does not);
the library does when asked (``chainmap.load(path, cache=True)``).

Examples
--------
>>> import os, tempfile, chainmap
>>> os.environ["CHAINMAP_CACHE"] = tempfile.mkdtemp()
>>> first = load_cached("tests/data/mini", min_bytes=0)
>>> again = load_cached("tests/data/mini", min_bytes=0)
>>> again.ids == first.ids and again.schedule.steps[0].comps.tolist() == first.schedule.steps[0].comps.tolist()
True
>>> len(list(cache_dir().glob("graph-*.pickle")))
1
>>> del os.environ["CHAINMAP_CACHE"]
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chainmap.errors import ChainmapError
from chainmap.graph import SupplyGraph

__all__ = ["CACHE_FORMAT", "KEEP", "MIN_BYTES", "cache_dir", "cache_enabled", "cache_key", "load_cached"]

CACHE_FORMAT = 2
"""Bumped whenever the cached form changes (older files are then never read)."""
KEEP = 4
"""Cache files kept (the most recently used)."""
MIN_BYTES = 8 << 20
"""Graphs whose files total fewer bytes are not cached (overridden by ``$CHAINMAP_CACHE_MIN_BYTES``)."""
OFF = ("off", "0", "no", "false")
MAGIC = b"chainmap-graph-cache\n"
LOADER_MODULES = ("graph.py", "api.py", "cache.py", "io/columnar.py", "io/idkeys.py", "model/load.py", "model/reader.py",
                  "model/schema.py")
"""The modules a load runs: their size and modification time are part of the key."""

_ENABLED = {"on": False}  # the process default; the command line turns it on


def cache_enabled(value: bool | None = None) -> bool:
    """Whether loads use the cache by default in this process (set it with ``value``); ``$CHAINMAP_CACHE=off``
    overrides.

    >>> previous = cache_enabled()
    >>> cache_enabled(True), cache_enabled(previous) == previous
    (True, True)
    """
    if value is not None:
        _ENABLED["on"] = value
    return _ENABLED["on"] and os.environ.get("CHAINMAP_CACHE", "").strip().lower() not in OFF


def cache_dir() -> Path:
    """The cache folder (see the module doc; not created here).

    >>> import os
    >>> os.environ["CHAINMAP_CACHE"] = "/tmp/somewhere"
    >>> cache_dir().as_posix()
    '/tmp/somewhere'
    >>> del os.environ["CHAINMAP_CACHE"]
    """
    own = os.environ.get("CHAINMAP_CACHE", "").strip()
    if own and own.lower() not in OFF:
        return Path(own).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "chainmap"


def _input_files(path: Path) -> list[Path]:
    """Every file a load of ``path`` reads (the YAML/JSON graph files, or the columnar tables and any YAML file
    beside them, which the load refuses)."""
    from chainmap.io.columnar import TABLES, is_columnar, table_path
    from chainmap.model.load import graph_files

    files = graph_files(path)
    if is_columnar(path):
        files += [p for p in (table_path(path, name) for name in TABLES) if p is not None]
    return files


def _code_fingerprint() -> bytes:
    import chainmap

    root = Path(__file__).resolve().parent
    parts = [str(CACHE_FORMAT), getattr(chainmap, "__version__", "")]
    for name in LOADER_MODULES:
        try:
            st = (root / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:-")
    return "\n".join(parts).encode()


def cache_key(path: str | Path, home: str | None = None) -> tuple[str, int] | None:
    """The content key of a load of ``path`` and the bytes it reads; None when the inputs cannot be listed
    (the load then reports why).

    >>> key, size = cache_key("tests/data/mini")
    >>> len(key), size > 0, cache_key("tests/data/mini", home="JP")[0] != key
    (40, True, True)
    """
    root = Path(path)
    try:
        files = _input_files(root)
    except (ChainmapError, OSError):
        return None
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_code_fingerprint())
    digest.update(f"\nhome={home!r}\n".encode())
    total = 0
    if len(files) > 1:  # hashlib hashes with the GIL released: the files of a columnar graph on two cores
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="chainmap-hash") as pool:
            digests = list(pool.map(_file_digest, files))
    else:
        digests = [_file_digest(f) for f in files]
    for f, got in zip(files, digests, strict=True):
        if got is None:
            return None
        digest.update(f"\n{f.as_posix()}\n".encode())
        digest.update(got[0])
        total += got[1]
    return digest.hexdigest(), total


def _file_digest(file: Path) -> tuple[bytes, int] | None:
    """The SHA-256 digest of a file's bytes and their number (None when it cannot be read)."""
    try:
        with open(file, "rb") as handle:
            found = hashlib.file_digest(handle, "sha256")
            return found.digest(), handle.tell()
    except OSError:
        return None


TEXT_LISTS = ("country_ids", "country_name", "supplier_ids", "supplier_name", "component_ids", "component_name")
"""Lists of texts of :class:`~chainmap.graph.GraphArrays` cached as one text each (:class:`_Texts`)."""


class _Texts:
    """A list of texts pickled as one text joined by NUL (pickling a million short texts one by one takes
    a third of a second; joining and splitting them a few hundredths). Empty lists and lists holding a NUL
    (or a non-text) stay lists.

    >>> _Texts.pack(["a", "", "b c"]).unpack(), _Texts.pack([]), _Texts.pack(["x", None])
    (['a', '', 'b c'], [], ['x', None])
    """

    def __init__(self, joined: str, n: int) -> None:
        self.joined, self.n = joined, n

    @classmethod
    def pack(cls, texts: list[Any]) -> _Texts | list[Any]:
        """The packed form of ``texts``, or ``texts`` itself when it cannot be packed."""
        try:
            joined = "\x00".join(texts)
        except TypeError:
            return texts
        if not texts or joined.count("\x00") != len(texts) - 1:  # empty, or a text holds a NUL
            return texts
        return cls(joined, len(texts))

    def unpack(self) -> list[str]:
        """The list of texts."""
        return self.joined.split("\x00")


def _payload(graph: SupplyGraph) -> dict[str, Any]:
    import dataclasses

    from chainmap.graph import _Table

    spec = None if isinstance(graph.components, _Table) else graph.spec  # YAML/JSON graphs keep their records
    packed: dict[str, Any] = {name: _Texts.pack(getattr(graph.arrays, name)) for name in TEXT_LISTS}
    arrays = dataclasses.replace(graph.arrays, **packed)
    return {"arrays": arrays, "files": graph.files, "warnings": graph.warnings, "origins": graph.origins,
            "spec": spec, "scc": graph.scc, "schedule": graph.schedule}


def _restore(payload: dict[str, Any]) -> SupplyGraph:
    import dataclasses

    spec = payload["spec"]
    arrays = payload["arrays"]
    unpacked: dict[str, Any] = {name: value.unpack() for name in TEXT_LISTS
                                if isinstance(value := getattr(arrays, name), _Texts)}
    arrays = dataclasses.replace(arrays, **unpacked)
    graph = SupplyGraph.from_arrays(arrays, files=payload["files"], warnings=payload["warnings"])
    graph.origins = payload["origins"]
    if spec is not None:  # a graph loaded from YAML/JSON: the same records as a fresh load
        graph._spec = spec
        graph.countries = {c.id: c for c in spec.countries}
        graph.suppliers = {s.id: s for s in spec.suppliers}
        graph.components = {c.id: c for c in spec.components}
    graph.__dict__["scc"] = payload["scc"]
    graph.__dict__["schedule"] = payload["schedule"]
    return graph


def _read(file: Path, key: str) -> SupplyGraph | None:
    try:
        with open(file, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise ValueError("not a chainmap cache file")
            payload = pickle.load(handle)
        if not isinstance(payload, dict) or payload.get("key") != key:
            raise ValueError("another key")
        graph = _restore(payload)
    except FileNotFoundError:
        return None
    except Exception:
        with contextlib.suppress(OSError):
            file.unlink()
        return None
    with contextlib.suppress(OSError):
        os.utime(file)  # most recently used
    return graph


def _write(folder: Path, file: Path, key: str, graph: SupplyGraph) -> None:
    """Write atomically (a temporary file renamed into place); a cache that cannot be written is skipped."""
    tmp = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".graph-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC)
            pickle.dump({"key": key, **_payload(graph)}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)
        tmp = None
        _prune(folder)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _prune(folder: Path) -> None:
    entries = []
    for f in folder.glob("graph-*.pickle"):
        try:
            entries.append((f.stat().st_mtime_ns, f))
        except OSError:
            continue
    for _, f in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            f.unlink()


def load_cached(path: str | Path, home: str | None = None, *, min_bytes: int | None = None,
                loader: Callable[[], SupplyGraph] | None = None) -> SupplyGraph:
    """The graph at ``path`` (as :func:`chainmap.load` gives it), from the cache when its key is there, else
    loaded, compiled and cached (see the module doc).

    Parameters
    ----------
    path, home : as for :func:`chainmap.load`.
    min_bytes : graphs whose files total fewer bytes are loaded without the cache (default
        ``$CHAINMAP_CACHE_MIN_BYTES`` or :data:`MIN_BYTES`).
    loader : the load to run on a miss (default: :func:`chainmap.load` without the cache).
    """
    if loader is None:
        from chainmap.api import load

        def loader() -> SupplyGraph:
            return load(path, home=home, cache=False)

    if min_bytes is None:
        try:
            min_bytes = int(os.environ.get("CHAINMAP_CACHE_MIN_BYTES", MIN_BYTES))
        except ValueError:
            min_bytes = MIN_BYTES
    if os.environ.get("CHAINMAP_CACHE", "").strip().lower() in OFF:
        return loader()
    keyed = cache_key(path, home)
    if keyed is None or keyed[1] < min_bytes:
        return loader()
    key = keyed[0]
    folder = cache_dir()
    file = folder / f"graph-{key}.pickle"
    graph = _read(file, key)
    if graph is not None:
        return graph
    graph = loader()
    graph.schedule  # noqa: B018 - compile before caching
    _write(folder, file, key, graph)
    return graph
