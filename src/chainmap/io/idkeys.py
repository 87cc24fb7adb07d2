"""Exact lookup of short text ids by integer codes, without hashing strings.

A columnar graph of a million components references its ids millions of
times; hashing every reference text (pyarrow's ``index_in`` or
``dictionary_encode``) dominates a load. :class:`IdIndex` instead reads the
ids' bytes straight from the Arrow buffers as a ``(rows, width)`` byte
matrix (ids of at most :data:`MAX_WIDTH` bytes, no NUL byte) and numbers
each id in a mixed radix: at each byte position, the rank of its byte among
the bytes the ids use at that position (a missing byte, past the end of a
shorter id, ranks first). The code is injective and sorts like the texts
(byte order, as Arrow sorts strings), so sorting ids is an integer sort, and
a reference is found by computing its code the same way (a byte no id uses
at that position: absent) and reading a table (dense codes) or a binary
search (sparse codes). Ids that do not qualify (longer, a NUL byte, a null)
give no index: the caller falls back to hashing.

Examples
--------
>>> import pyarrow as pa
>>> index = IdIndex.build(pa.array(["b2", "a1", "b10"]))
>>> index.order.tolist()
[1, 2, 0]
>>> index.lookup(pa.array(["b2", None, "a", "b10", "zz"])).tolist()
[2, -1, -1, 1, -1]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_WIDTH", "IdIndex", "arrow_indices", "arrow_numpy", "has_upper_or_non_ascii", "printable_ascii"]

MAX_WIDTH = 8
"""Longest id (in UTF-8 bytes) :class:`IdIndex` codes."""

DENSE_FACTOR = 4
"""A table of codes is used when the codes span at most this many times the number of ids."""

_CHUNK = 1 << 20

_LOOKUP_CHUNK = 1 << 16
"""References coded per chunk by :meth:`IdIndex.lookup` (a chunk's temporaries fit in a core's cache)."""


_NUMPY_TYPES = {"bool": np.bool_, "double": np.float64, "float": np.float32, "int64": np.int64, "int32": np.int32,
                "int16": np.int16, "int8": np.int8, "uint64": np.uint64, "uint32": np.uint32, "uint16": np.uint16,
                "uint8": np.uint8}


def _bits(buffer: Any, offset: int, n: int) -> NDArray[np.bool_]:
    bits = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].astype(bool)


def arrow_numpy(arr: Any, fill: Any = None) -> NDArray[Any]:
    """A pyarrow array (or chunked array) of booleans or numbers as a numpy array, nulls as ``fill`` (by
    default NaN for floats, 0 or False otherwise), read from its buffers: ``Array.to_numpy`` imports pandas (a third of a second) on first use.

    >>> import pyarrow as pa
    >>> arrow_numpy(pa.array([1.5, None, 2.0])).tolist(), arrow_numpy(pa.array([True, None, False])).tolist()
    ([1.5, nan, 2.0], [True, False, False])
    >>> arrow_numpy(pa.array([True, None]), fill=True).tolist()
    [True, True]
    >>> arrow_numpy(pa.chunked_array([pa.array([1, 2]), pa.array([3])], type=pa.int64()).slice(1)).tolist()
    [2, 3]
    """
    kind = str(arr.type)
    dtype = _NUMPY_TYPES.get(kind)
    if dtype is None:
        raise TypeError(f"arrow_numpy: unsupported type {kind}")
    if hasattr(arr, "chunks"):
        whole: NDArray[Any] = np.empty(len(arr), dtype=dtype)  # filled chunk by chunk: one copy of the column
        at = 0
        for c in arr.chunks:
            whole[at:at + len(c)] = arrow_numpy(c, fill)
            at += len(c)
        return whole
    n, offset = len(arr), arr.offset
    buffers = arr.buffers()
    if buffers[1] is None:
        out: NDArray[Any] = np.zeros(n, dtype=dtype)
    elif dtype is np.bool_:
        out = _bits(buffers[1], offset, n)
    else:
        out = np.frombuffer(buffers[1], dtype=dtype, count=offset + n)[offset:]
    if arr.null_count:
        null = ~_bits(buffers[0], offset, n) if buffers[0] is not None else np.ones(n, dtype=bool)
        out = out.copy()
        out[null] = fill if fill is not None else np.nan if out.dtype.kind == "f" else 0
    return out


def arrow_indices(rows: NDArray[Any]) -> Any:
    """A numpy integer array as a pyarrow int64 array (for ``take``) without ``pa.array``, which imports pandas."""
    import pyarrow as pa

    values = np.ascontiguousarray(rows, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), values.size, [None, pa.py_buffer(values)])


def printable_ascii(col: Any) -> bool:
    """Whether every text of a pyarrow string array (one chunk) is printable ASCII (bytes 0x20..0x7e), from
    its data buffer (two reductions, no regex).

    >>> import pyarrow as pa
    >>> printable_ascii(pa.array(["Wafer", None, "a b"])), printable_ascii(pa.array(["a\\tb"]))
    (True, False)
    """
    if hasattr(col, "chunks"):
        return all(printable_ascii(c) for c in col.chunks)
    offsets, data = _buffers(col)
    region = data[offsets[0]:offsets[-1]] if offsets.size > 1 else data[:0]
    return bool(region.size == 0 or (int(region.min()) >= 0x20 and int(region.max()) <= 0x7E))


def has_upper_or_non_ascii(col: Any) -> bool:
    """Whether some text of a pyarrow string array (one chunk) holds an ASCII upper-case letter or a
    non-ASCII byte, from its data buffer (a byte table, no case folding).

    >>> import pyarrow as pa
    >>> has_upper_or_non_ascii(pa.array(["c001", None])), has_upper_or_non_ascii(pa.array(["cA"]))
    (False, True)
    """
    if hasattr(col, "chunks"):
        return any(has_upper_or_non_ascii(c) for c in col.chunks)
    offsets, data = _buffers(col)
    region = data[offsets[0]:offsets[-1]] if offsets.size > 1 else data[:0]
    if region.size == 0:
        return False
    flagged = np.zeros(256, dtype=bool)
    flagged[ord("A"):ord("Z") + 1] = True
    flagged[0x80:] = True
    seen = np.zeros(256, dtype=bool)
    seen[np.unique(region[:: max(1, region.size // (1 << 16))])] = True  # a sample first: most graphs stop here
    if (seen & flagged).any():
        return True
    return bool(flagged[region].any())


def _buffers(col: Any) -> tuple[NDArray[np.int32], NDArray[np.uint8]]:
    """Offsets (rows + 1, as stored: int32) and data bytes of a pyarrow string array (one chunk)."""
    buffers = col.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=col.offset + len(col) + 1)[col.offset:]
    data = (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None and buffers[2].size
            else np.zeros(0, dtype=np.uint8))
    return offsets, data


def _valid(col: Any) -> NDArray[np.bool_]:
    """Validity of each row of a pyarrow array (one chunk)."""
    n = len(col)
    return _bits(col.buffers()[0], col.offset, n) if col.null_count else np.ones(n, dtype=bool)


def _matrix(col: Any, width: int) -> tuple[NDArray[np.uint8], NDArray[np.bool_]] | None:
    """The texts of ``col`` as a ``(rows, width)`` byte matrix, zero-padded, and which rows it holds whole
    (valid and at most ``width`` bytes); None when a text holds a NUL byte (a padded text would be ambiguous)."""
    offsets, data = _buffers(col)
    valid = _valid(col)
    n = offsets.size - 1
    lens = np.diff(offsets)
    region = data[offsets[0]:offsets[-1]] if n else data[:0]
    if region.size and not region.all():  # a NUL byte somewhere (in a kept text or not: keep it simple)
        return None
    if n and valid.all() and int(lens.min()) == int(lens.max()) and int(lens[0]) <= width:
        w = int(lens[0])  # every text of one width: a view of the data, no gather
        block = region.reshape(n, w)
        if w == width:
            return block, valid
        out = np.zeros((n, width), dtype=np.uint8)
        out[:, :w] = block
        return out, valid
    fits = valid & (lens <= width)
    out = np.zeros((n, width), dtype=np.uint8)
    if data.size == 0 or not fits.any():
        return out, fits
    kept = lens[valid]
    if kept.size and int(kept.min()) == int(kept.max()) <= width and region.size == kept.size * int(kept[0]):
        w = int(kept[0])  # nulls (no bytes) and texts of one width: the data is their rows, in order
        out[valid, :w] = region.reshape(kept.size, w)
        return out, fits
    last = data.size - 1
    starts = offsets[:-1]
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        s, length, keep = starts[lo:hi], lens[lo:hi], fits[lo:hi]
        for p in range(width):
            take = keep & (length > p)
            out[lo:hi, p] = np.where(take, data[np.minimum(s + p, last)], 0)
    return out, fits


class IdIndex:
    """Ids of one kind, sorted, with their codes (see the module doc). Build with :meth:`build`.

    Attributes
    ----------
    order : numpy.ndarray
        The stable sorting permutation of the ids (``ids[order]`` is sorted by bytes, as Arrow sorts).
    codes : numpy.ndarray
        The code of each id in sorted order (non-decreasing; equal codes are equal ids).
    """

    def __init__(self, width: int, ranks: NDArray[np.int64], weights: NDArray[np.int64], codes: NDArray[np.int64],
                 order: NDArray[np.int64], span: int) -> None:
        self.width, self.ranks, self.weights = width, ranks, weights
        self.codes, self.order, self.span = codes, order, span
        self._table: NDArray[np.int64] | None = None
        self._scaled: NDArray[Any] | None = None
        self._pairs: NDArray[Any] | None = None

    @classmethod
    def build(cls, col: Any) -> IdIndex | None:
        """The index of a pyarrow string array of ids, or None when some id is null, longer than
        :data:`MAX_WIDTH` bytes or holds a NUL byte, or the codes would not fit in 62 bits."""
        n = len(col)
        if n == 0 or col.null_count:
            return None
        offsets, _data = _buffers(col)
        width = int(np.diff(offsets).max())
        if width > MAX_WIDTH:
            return None
        got = _matrix(col, width)
        if got is None:
            return None
        matrix, _fits = got
        present = np.zeros((width, 256), dtype=bool)
        for p in range(width):
            present[p, matrix[:, p]] = True
        radix = present.sum(axis=1).astype(np.int64)
        if float(np.prod(radix.astype(np.float64))) >= 2.0**62:
            return None
        weights = np.ones(width, dtype=np.int64)
        for p in range(width - 2, -1, -1):
            weights[p] = weights[p + 1] * radix[p + 1]
        ranks = np.where(present, np.cumsum(present, axis=1) - 1, -1).astype(np.int64)
        codes = _code(matrix, ranks, weights)
        if codes.size < 2 or bool((codes[1:] >= codes[:-1]).all()):
            order = np.arange(n, dtype=np.int64)  # already in order (as ``chainmap generate`` writes)
        else:
            order = np.argsort(codes, kind="stable").astype(np.int64)
            codes = codes[order]
        span = int(np.prod(radix)) if width else 1
        return cls(width, ranks, weights, codes, order, span)

    def duplicates(self) -> NDArray[np.bool_]:
        """Per sorted position: whether the id equals the one before it."""
        out = np.zeros(self.codes.size, dtype=bool)
        out[1:] = self.codes[1:] == self.codes[:-1]
        return out

    def lookup(self, refs: Any) -> NDArray[np.int64] | None:
        """Position in sorted order of each reference's id (the first of equal ids), -1 for a null or an
        unknown id; None when a reference holds a NUL byte (look it up by hashing instead). ``refs``: a
        pyarrow string array, or a chunked array (looked up chunk by chunk, never concatenated).

        >>> import pyarrow as pa
        >>> index = IdIndex.build(pa.array(["b2", "a1", "b10"]))
        >>> index.lookup(pa.chunked_array([["b10", None], [], ["a1", "x"]], type=pa.string())).tolist()
        [1, -1, 0, -1]
        """
        if hasattr(refs, "chunks"):
            chunks = refs.chunks
            if len(chunks) == 1:
                return self.lookup(chunks[0])
            out = np.empty(len(refs), dtype=np.int64)
            at = 0
            for chunk in chunks:
                part = out[at:at + len(chunk)]
                if self._dense_ready() and self._lookup_dense(chunk, part) is not None:
                    at += part.size  # written in place
                    continue
                found = self.lookup(chunk)
                if found is None:
                    return None
                part[:] = found
                at += part.size
            return out
        dense = self.span <= DENSE_FACTOR * self.codes.size + 1024
        if self._dense_ready():
            found = self._lookup_dense(refs)
            if found is not None:
                return found
        got = _matrix(refs, self.width)
        if got is None:
            return None
        matrix, fits = got
        codes = _code(matrix, self.ranks, self.weights)
        known = fits & (codes >= 0)
        if dense:
            out = self._dense_table()[np.where(known, codes, 0)]
            out[~known] = -1
            return out
        pos = np.searchsorted(self.codes, codes)
        found = known & (self.codes[np.minimum(pos, self.codes.size - 1)] == codes)
        return np.where(found, pos, -1).astype(np.int64)

    def _dense_ready(self) -> bool:
        """Whether references can be coded by :meth:`_lookup_dense` (dense codes, within the sentinel's range)."""
        dense = self.span <= DENSE_FACTOR * self.codes.size + 1024
        return bool(dense and self.width and self.span + 1 < _SENTINEL_LIMIT[self._dtype()])

    def _dtype(self) -> type[np.signedinteger[Any]]:
        return np.int32 if self.span + 1 < _SENTINEL_LIMIT[np.int32] else np.int64

    def _dense_table(self) -> NDArray[np.int64]:
        """Code -> sorted position (-1: no id), one entry per code of the span."""
        return self._shifted_table()[1:]

    def _shifted_table(self) -> NDArray[np.int64]:
        """The dense table with -1 in front: entry ``code + 1`` is code's position, entry 0 (where negative
        codes, clipped, land) -1."""
        if self._table is None:
            table = np.full(self.span + 1, -1, dtype=np.int64)
            table[self.codes[::-1] + 1] = np.arange(self.codes.size - 1, -1, -1, dtype=np.int64)  # first wins
            self._table = table
        return self._table

    def _lookup_dense(self, refs: Any, out: NDArray[np.int64] | None = None) -> NDArray[np.int64] | None:
        """:meth:`lookup` with dense codes when every non-null reference has one width (no gather of a
        padded matrix: the texts' bytes are viewed in place), else None. Each position adds one table read:
        rank times weight, or a large negative number for a byte no id has there, so a code is negative
        exactly when the reference is no id; a shifted table maps negative codes (clipped to 0) to -1.
        ``out``: where to write the positions (one per reference; untouched when None is returned)."""
        offsets, data = _buffers(refs)
        n = offsets.size - 1
        valid = _valid(refs)
        k = int(valid.sum())
        region = data[offsets[0]:offsets[-1]] if n else data[:0]
        if k == 0:
            if out is None:
                return np.full(n, -1, dtype=np.int64)
            out.fill(-1)
            return out
        if region.size % k:
            return None
        w = region.size // k
        if w > self.width or not region.all():  # longer than any id (then not all one width) or a NUL byte
            return None
        lens = np.diff(offsets)
        if int(lens[valid].min()) != w or int(lens.max()) != w:  # not one width (nulls hold no byte)
            return None
        scaled = self._scaled_tables()
        missing = int(scaled[w:, 0].sum()) if w < self.width else 0  # shorter than width: byte 0 ranks there
        pairs = self._pair_tables()
        shifted = self._shifted_table()
        found = out if out is not None and k == n else np.empty(k, dtype=np.int64)
        for lo in range(0, k, _LOOKUP_CHUNK):  # by chunks: the codes' temporaries stay small (in cache, reused)
            size = min(_LOOKUP_CHUNK, k - lo)
            codes = np.zeros(size, dtype=scaled.dtype)
            for p in range(0, w - 1, 2):  # two bytes at a time: their (little-endian) pair indexes one table
                both = np.ndarray((size,), dtype="<u2", buffer=region, offset=lo * w + p, strides=(w,))
                codes += np.take(pairs[p // 2], both)
            if w % 2:
                codes += np.take(scaled[w - 1], region[lo * w + w - 1:(lo + size) * w:w])
            if missing:
                codes += missing
            np.take(shifted, codes, mode="clip", out=found[lo:lo + size])
        if k == n:
            return found
        if out is None:
            out = np.full(n, -1, dtype=np.int64)
        else:
            out.fill(-1)
        out[valid] = found
        return out

    def _pair_tables(self) -> NDArray[Any]:
        """Per pair of positions ``(2q, 2q + 1)``: the sum of their :meth:`_scaled_tables` entries for each
        pair of bytes, indexed by the pair read as a little-endian 16-bit number (first byte low)."""
        if self._pairs is None:
            scaled = self._scaled_tables()
            half = self.width // 2
            pairs = np.empty((half, 1 << 16), dtype=scaled.dtype)
            for q in range(half):
                pairs[q] = (scaled[2 * q][None, :] + scaled[2 * q + 1][:, None]).reshape(-1)
            self._pairs = pairs
        return self._pairs

    def _scaled_tables(self) -> NDArray[Any]:
        """Per position and byte: rank times weight (plus 1 at position 0: codes index the shifted table),
        or the sentinel for a byte no id has at that position."""
        if self._scaled is None:
            dtype = self._dtype()
            sentinel = -_SENTINEL_LIMIT[dtype]
            scaled = np.where(self.ranks >= 0, self.ranks * self.weights[:, None], sentinel).astype(dtype)
            if self.width:
                scaled[0] += (self.ranks[0] >= 0).astype(dtype)
            self._scaled = scaled
        return self._scaled

_SENTINEL_LIMIT: dict[type[np.signedinteger[Any]], int] = {np.int32: 1 << 27, np.int64: 1 << 59}
"""A byte no id has adds minus this: the sum of :data:`MAX_WIDTH` of them stays in range, and any one makes
the code negative as long as valid codes stay below it."""


def _code(matrix: NDArray[np.uint8], ranks: NDArray[np.int64], weights: NDArray[np.int64]) -> NDArray[np.int64]:
    """Mixed-radix code of each row (-1 when a byte has no rank at its position); int32 arithmetic when
    the codes fit (half the memory traffic), a plain comparison where the ids all have the same byte."""
    n, width = matrix.shape
    small = int(weights[0]) * int((ranks[0] >= 0).sum()) < 2**31 if width else True
    dtype: type[np.signedinteger[Any]] = np.int32 if small else np.int64
    table, scale = ranks.astype(dtype), weights.astype(dtype)
    codes: NDArray[np.signedinteger[Any]] = np.zeros(n, dtype=dtype)
    bad = np.zeros(n, dtype=bool)
    for p in range(width):
        column = matrix[:, p]
        used = np.flatnonzero(ranks[p] >= 0)
        if used.size == 1:  # one byte at this position (rank 0): just check it
            bad |= column != used[0]
            continue
        r = table[p][column]
        bad |= r < 0
        if scale[p] != 1:
            r *= scale[p]
        codes += r
    out = codes.astype(np.int64)
    out[bad] = -1
    return out
