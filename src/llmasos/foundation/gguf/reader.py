"""The GGUF header parser behind :func:`llmasos.foundation.gguf.file.read_model_info`.

Plain little-endian reads through a buffered :class:`Reader` that turns running off
the end of the file into a "truncated" error; every count, length and offset is checked
against the file's size before it is trusted, so a damaged file raises a typed error from
:mod:`llmasos.errors` instead of reaching llama.cpp. Private to ``gguf_file``.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFValueType

from llmasos.errors import ModelFileInvalid, ModelFileUnsupported

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = frozenset({2, 3})
TOKENS_KEY = "tokenizer.ggml.tokens"
REDOWNLOAD = "Download it again or pick another file."

# Limits a sane header stays within; anything beyond is reported as damage.
_MAX_TENSORS = 1_000_000
_MAX_KV = 1_000_000
_MAX_STRING = 64 * 1024 * 1024
_MAX_ARRAY = 1 << 32
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MAX_TENSOR_NAME = 63  # GGML_MAX_NAME - 1; llama.cpp refuses longer names
_MAX_ALIGNMENT = 1 << 16
_MAX_ELEMENTS = 1 << 62
_DEFAULT_ALIGNMENT = 32
_FIXED_HEADER = 24  # magic, version, tensor count, kv count
_MIN_KV_BYTES = 8 + 4 + 1  # empty key, type, one-byte value
_MIN_TENSOR_BYTES = 8 + 4 + 8 + 4 + 8  # empty name, n_dims, one dim, type, offset
_CHUNK = 1 << 20
_KEEP_ARRAY = 4096  # small numeric arrays (per-layer head counts) keep their values

_U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")
_MAGIC_VERSION = struct.Struct("<4sI")
_COUNTS = struct.Struct("<QQ")
_TYPE_COUNT = struct.Struct("<IQ")
_TYPE_OFFSET = struct.Struct("<IQ")
_SCALARS: dict[int, struct.Struct] = {
    GGUFValueType.UINT8: struct.Struct("<B"), GGUFValueType.INT8: struct.Struct("<b"),
    GGUFValueType.UINT16: struct.Struct("<H"), GGUFValueType.INT16: struct.Struct("<h"),
    GGUFValueType.UINT32: struct.Struct("<I"), GGUFValueType.INT32: struct.Struct("<i"),
    GGUFValueType.UINT64: struct.Struct("<Q"), GGUFValueType.INT64: struct.Struct("<q"),
    GGUFValueType.FLOAT32: struct.Struct("<f"), GGUFValueType.FLOAT64: struct.Struct("<d"),
    GGUFValueType.BOOL: struct.Struct("<?"),
}  # fmt: skip
# What a file that is not GGUF usually is, by its first bytes (lower-cased, stripped).
_FOREIGN_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"<!doctype", "a web page saved instead of the model"),
    (b"<html", "a web page saved instead of the model"),
    (b"version https://git-lfs", "a Git LFS pointer, not the model itself"),
    (b"{", "a JSON document (often an error reply from a server), not the model"),
    (b"pk\x03\x04", "a ZIP archive; unpack it and pick the .gguf file inside"),
)
_LEGACY_MAGICS = (b"lmgg", b"fmgg", b"tjgg")  # GGML, GGMF, GGJT: pre-GGUF llama.cpp files


@dataclass
class ArrayValue:
    """A metadata array: its element type and count, and what is kept of it."""

    item_type: int
    count: int
    values: tuple[int | float | bool, ...] | None = None
    offsets: array[int] | None = None  # tokens only: file offset of each string
    span: tuple[int, int] = (0, 0)  # file range of the elements


Value: TypeAlias = "int | float | bool | bytes | ArrayValue"


@dataclass(frozen=True)
class TensorInfo:
    """One tensor's entry in the header (``offset`` is relative to the data section)."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int


@dataclass
class Header:
    """The parsed header: metadata, tensors, where their data starts, and their sizes."""

    version: int
    kv: dict[str, Value]
    tensors: list[TensorInfo]
    data_start: int = 0
    sizes: list[int] = field(default_factory=list)


def truncated(path: Path, have: int, need: int, *, exact: bool = False) -> ModelFileInvalid:
    """The error for a file that ends before ``need`` bytes (it has ``have``)."""
    amount = f"{have:,} of {need:,}" if exact else f"{have:,} of at least {need:,}"
    return ModelFileInvalid(
        f"{path} is truncated ({amount} bytes present) — the download was probably "
        "interrupted. Download it again."
    )


def damaged(path: Path, problem: str) -> ModelFileInvalid:
    """The error for a file whose header is inconsistent; ``problem`` says how."""
    return ModelFileInvalid(f"{path} is damaged: {problem}. {REDOWNLOAD}")


class Reader:
    """Buffered little-endian reads that turn running off the end into 'truncated'."""

    def __init__(self, f: BinaryIO, size: int, path: Path) -> None:
        self._f, self.size, self.path = f, size, path
        self._buf, self._base, self._pos = b"", 0, 0

    def tell(self) -> int:
        return self._base + self._pos

    def require(self, n: int) -> None:
        """Fail as truncated unless ``n`` more bytes exist in the file."""
        if self.tell() + n > self.size:
            raise truncated(self.path, self.size, self.tell() + n)

    def _fill(self, n: int) -> None:
        if len(self._buf) - self._pos >= n:
            return
        self.require(n)
        rest = self._buf[self._pos :]
        self._base, self._pos = self.tell(), 0
        self._f.seek(self._base + len(rest))
        self._buf = rest + self._f.read(max(n - len(rest), _CHUNK))
        if len(self._buf) < n:  # the file shrank while we read it
            raise truncated(self.path, self._base + len(self._buf), self._base + n)

    def take(self, n: int) -> bytes:
        self._fill(n)
        data = self._buf[self._pos : self._pos + n]
        self._pos += n
        return data

    def unpack(self, fmt: struct.Struct) -> tuple[Any, ...]:
        self._fill(fmt.size)
        values = fmt.unpack_from(self._buf, self._pos)
        self._pos += fmt.size
        return values

    def u32(self) -> int:
        return int(self.unpack(_U32)[0])

    def skip(self, n: int) -> None:
        if len(self._buf) - self._pos >= n:
            self._pos += n
            return
        self.require(n)
        self._base, self._buf, self._pos = self.tell() + n, b"", 0

    def string(self) -> bytes:
        n = int(self.unpack(U64)[0])
        if n > _MAX_STRING:
            raise damaged(self.path, f"a string at byte {self.tell() - 8:,} claims {n:,} bytes")
        return self.take(n)

    def walk_strings(self, count: int, offsets: array[int] | None) -> None:
        """Step over ``count`` strings without decoding them (the vocabulary's hot loop)."""
        buf, pos, base, unpack = self._buf, self._pos, self._base, U64.unpack_from
        for _ in range(count):
            if len(buf) - pos < 8:
                self._pos = pos
                self._fill(8)
                buf, pos, base = self._buf, self._pos, self._base
            n = unpack(buf, pos)[0]
            if n > _MAX_STRING:
                raise damaged(self.path, f"a string at byte {base + pos:,} claims {n:,} bytes")
            if offsets is not None:
                offsets.append(base + pos)
            pos += 8 + n
            if pos > len(buf):
                over, self._pos = pos - len(buf), len(buf)
                self.skip(over)
                buf, pos, base = self._buf, self._pos, self._base
        self._pos = pos


def _check_magic(path: Path, head: bytes, size: int) -> None:
    if head[:4] == MAGIC:
        return
    if len(head) < 4 and MAGIC.startswith(head):
        raise truncated(path, size, _FIXED_HEADER)
    shown = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in head[:16])
    if head[:4] in _LEGACY_MAGICS:
        raise ModelFileUnsupported(
            f"{path} is an old GGML/GGJT model file, which llama.cpp no longer reads. "
            "Download the GGUF version of this model."
        )
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    kind = next((what for prefix, what in _FOREIGN_FORMATS if probe.startswith(prefix)), None)
    looks = f"; it looks like {kind}" if kind else ""
    raise ModelFileInvalid(
        f"{path} is not a GGUF model file (it starts with '{shown}'){looks}. {REDOWNLOAD}"
    )


def _check_version(path: Path, version: int) -> None:
    if version in SUPPORTED_VERSIONS:
        return
    if int.from_bytes(version.to_bytes(4, "little"), "big") in SUPPORTED_VERSIONS:
        raise ModelFileUnsupported(
            f"{path} is a big-endian GGUF file, which this build cannot read. "
            "Download the ordinary (little-endian) GGUF of this model."
        )
    raise ModelFileUnsupported(
        f"{path}: GGUF version {version} is not supported; download a current GGUF (version 3)."
    )


def _read_counts(r: Reader) -> tuple[int, int]:
    n_tensors, n_kv = (int(v) for v in r.unpack(_COUNTS))
    if n_tensors > _MAX_TENSORS:
        raise damaged(r.path, f"it claims {n_tensors:,} tensors (at most {_MAX_TENSORS:,})")
    if n_kv > _MAX_KV:
        raise damaged(r.path, f"it claims {n_kv:,} metadata entries (at most {_MAX_KV:,})")
    r.require(n_kv * _MIN_KV_BYTES + n_tensors * _MIN_TENSOR_BYTES)
    return n_tensors, n_kv


def _read_array(r: Reader, key: str) -> ArrayValue:
    item_type, count = (int(v) for v in r.unpack(_TYPE_COUNT))
    if count > _MAX_ARRAY:
        raise damaged(r.path, f"metadata array {key!r} claims {count:,} elements")
    scalar = _SCALARS.get(item_type)
    if item_type == GGUFValueType.STRING:
        r.require(count * 8)
        start = r.tell()
        offsets: array[int] | None = array("Q") if key == TOKENS_KEY else None
        r.walk_strings(count, offsets)
        return ArrayValue(item_type, count, offsets=offsets, span=(start, r.tell()))
    if scalar is None:
        raise damaged(r.path, f"metadata array {key!r} has unsupported element type {item_type}")
    r.require(count * scalar.size)
    if count > _KEEP_ARRAY:
        r.skip(count * scalar.size)
        return ArrayValue(item_type, count)
    values = struct.unpack(f"<{count}{scalar.format[-1]}", r.take(count * scalar.size))
    return ArrayValue(item_type, count, values=values)


def _read_value(r: Reader, key: str, value_type: int) -> Value:
    scalar = _SCALARS.get(value_type)
    if scalar is not None:
        value: int | float | bool = r.unpack(scalar)[0]
        return value
    if value_type == GGUFValueType.STRING:
        return r.string()
    if value_type == GGUFValueType.ARRAY:
        return _read_array(r, key)
    raise damaged(r.path, f"metadata entry {key!r} has unknown value type {value_type}")


def decode(path: Path, raw: bytes, what: str) -> str:
    """``raw`` as UTF-8 text; ``what`` names it in the error when it is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise damaged(path, f"{what} is not valid UTF-8 text") from exc


def _read_kv(r: Reader, count: int) -> dict[str, Value]:
    kv: dict[str, Value] = {}
    for _ in range(count):
        key = decode(r.path, r.string(), f"the metadata key at byte {r.tell():,}")
        if key in kv:
            raise damaged(r.path, f"metadata key {key!r} appears twice")
        value_type = r.u32()
        if key == "general.alignment" and value_type != GGUFValueType.UINT32:
            # llama.cpp refuses (older builds abort) on any other type for this key.
            raise damaged(r.path, f"general.alignment has value type {value_type}, not u32")
        kv[key] = _read_value(r, key, value_type)
    return kv


def _read_tensor(r: Reader) -> TensorInfo:
    raw = r.string()
    name = decode(r.path, raw, f"the tensor name at byte {r.tell():,}")
    if len(raw) > _MAX_TENSOR_NAME:
        raise damaged(r.path, f"tensor name {name[:80]!r} is longer than {_MAX_TENSOR_NAME} bytes")
    n_dims = r.u32()
    if not 1 <= n_dims <= _MAX_DIMS:
        raise damaged(r.path, f"tensor {name!r} has {n_dims} dimensions, not 1 to {_MAX_DIMS}")
    shape = struct.unpack(f"<{n_dims}Q", r.take(8 * n_dims))
    ggml_type, offset = (int(v) for v in r.unpack(_TYPE_OFFSET))
    elements = 1
    for dim in shape:
        elements *= dim
        if dim < 1 or elements >= _MAX_ELEMENTS:
            raise damaged(r.path, f"tensor {name!r} has an impossible shape {list(shape)}")
    return TensorInfo(name, shape, ggml_type, offset)


def _read_tensors(r: Reader, count: int) -> list[TensorInfo]:
    tensors = [_read_tensor(r) for _ in range(count)]
    if len({t.name for t in tensors}) != len(tensors):
        raise damaged(r.path, "two tensors share a name")
    unknown = sorted({t.ggml_type for t in tensors} - set(GGML_QUANT_SIZES))
    if unknown:
        raise ModelFileUnsupported(
            f"{r.path} uses tensor type {unknown[0]}, which this version does not know; it needs "
            "a newer LLMasOS/llama.cpp. Update LLMasOS or pick another quantization of the model."
        )
    return tensors


def _alignment(path: Path, kv: dict[str, Value]) -> int:
    value = kv.get("general.alignment", _DEFAULT_ALIGNMENT)
    if not isinstance(value, int) or not 0 < value <= _MAX_ALIGNMENT:
        raise damaged(path, f"general.alignment is {value!r}, not a size up to {_MAX_ALIGNMENT}")
    if value & (value - 1):
        raise damaged(path, f"general.alignment is {value}, not a power of two")
    return value


def _check_data(r: Reader, header: Header, alignment: int) -> None:
    """Size every tensor, and check the ranges are aligned, disjoint and inside the file."""
    spans: list[tuple[int, int, str]] = []
    for t in header.tensors:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(t.ggml_type)]
        if t.shape[0] % block:
            raise damaged(r.path, f"tensor {t.name!r} has a row of {t.shape[0]} values, "
                           f"not a multiple of its block size {block}")  # fmt: skip
        rows = 1
        for dim in t.shape[1:]:
            rows *= dim
        size = t.shape[0] // block * type_size * rows
        if t.offset % alignment:
            raise damaged(r.path, f"tensor {t.name!r} is not aligned to {alignment} bytes")
        header.sizes.append(size)
        spans.append((t.offset, t.offset + size, t.name))
    spans.sort()
    for (_, end, before), (start, _, after) in pairwise(spans):
        if start < end:
            raise damaged(r.path, f"tensors {before!r} and {after!r} overlap")
    data_end = header.data_start + max((end for _, end, _ in spans), default=0)
    if data_end > r.size:
        raise truncated(r.path, r.size, data_end, exact=True)


def parse_header(f: BinaryIO, size: int, path: Path) -> Header:
    """Read and check the header of the GGUF file ``f`` (``size`` bytes, at ``path``).

    Raises:
        ModelFileInvalid: Not a GGUF file, truncated, or damaged.
        ModelFileUnsupported: An old or big-endian file, or an unknown tensor type.
    """
    _check_magic(path, f.read(64), size)
    f.seek(0)
    r = Reader(f, size, path)
    _, version = r.unpack(_MAGIC_VERSION)
    _check_version(path, int(version))
    n_tensors, n_kv = _read_counts(r)
    header = Header(int(version), _read_kv(r, n_kv), [])
    alignment = _alignment(path, header.kv)
    header.tensors = _read_tensors(r, n_tensors)
    header.data_start = -(-r.tell() // alignment) * alignment
    _check_data(r, header, alignment)
    return header
