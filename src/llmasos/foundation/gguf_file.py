"""GGUF model files: validate before llama.cpp sees them, and read their metadata.

llama.cpp trusts a file's header: a truncated download or a web page saved as
``.gguf`` can make it abort the whole process. :func:`read_model_info` reads the
header with plain little-endian binary reads, checks every count, length and
offset against the file's size, and turns each problem into a typed error from
:mod:`llmasos.errors` whose message says what to do next. The ``gguf`` package
is used only for its constants.
"""

from __future__ import annotations

import bisect
import logging
import os
import stat
import struct
from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFValueType, LlamaFileType

from llmasos.errors import (
    ModelFileError,
    ModelFileInvalid,
    ModelFileNotFound,
    ModelFileUnreadable,
    ModelFileUnsupported,
)

log = logging.getLogger(__name__)

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = frozenset({2, 3})
# Vocabulary entries that identify a chat format when a model has no template.
MARKER_TOKENS: tuple[str, ...] = (
    "<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>", "<|start_header_id|>",
    "<|eot_id|>", "[INST]", "<|user|>", "<|assistant|>", "<|endoftext|>",
)  # fmt: skip

_MAX_TENSORS = 1_000_000
_MAX_KV = 1_000_000
_MAX_STRING = 64 * 1024 * 1024
_MAX_ARRAY = 1 << 32
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MAX_TENSOR_NAME = 63  # GGML_MAX_NAME - 1; llama.cpp refuses longer names
_MAX_ALIGNMENT = 1 << 16
_MAX_ELEMENTS = 1 << 62
_MAX_VOCAB_BLOB = 256 * 1024 * 1024
_DEFAULT_ALIGNMENT = 32
_FIXED_HEADER = 24  # magic, version, tensor count, kv count
_MIN_KV_BYTES = 8 + 4 + 1  # empty key, type, one-byte value
_MIN_TENSOR_BYTES = 8 + 4 + 8 + 4 + 8  # empty name, n_dims, one dim, type, offset
_CHUNK = 1 << 20
_KEEP_ARRAY = 4096  # small numeric arrays (per-layer head counts) keep their values
_FTYPE_GUESSED = 1024
_TOKENS_KEY = "tokenizer.ggml.tokens"
_REDOWNLOAD = "Download it again or pick another file."

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
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


@dataclass(frozen=True)
class ModelInfo:
    """What a GGUF header says about a model. Plain data, safe to pass between threads."""

    path: Path
    file_size: int
    gguf_version: int
    architecture: str
    name: str | None
    size_label: str | None
    parameter_count: int | None  # from metadata, else summed from tensor shapes
    file_type: int | None  # general.file_type (llama_ftype)
    quantization: str  # e.g. "Q4_1", "Q4_K_M"; derived from file_type or dominant tensor type
    context_length: int | None  # {arch}.context_length
    block_count: int | None  # layers
    embedding_length: int | None
    head_count: int | None
    head_count_kv: int | None
    vocab_size: int | None
    tokenizer_model: str | None  # tokenizer.ggml.model: "gpt2", "llama", ...
    chat_template: str | None  # tokenizer.chat_template, None when absent
    bos_token: str | None
    eos_token: str | None
    tensor_count: int
    # marker tokens present in the vocabulary, used to pick a fallback chat format
    special_tokens: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_chat_template(self) -> bool:
        return bool(self.chat_template)


@dataclass
class _Array:
    item_type: int
    count: int
    values: tuple[int | float | bool, ...] | None = None
    offsets: array[int] | None = None  # tokens only: file offset of each string
    span: tuple[int, int] = (0, 0)  # file range of the elements


_Value: TypeAlias = "int | float | bool | bytes | _Array"


@dataclass(frozen=True)
class _Tensor:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int


@dataclass
class _Header:
    version: int
    kv: dict[str, _Value]
    tensors: list[_Tensor]
    data_start: int = 0
    sizes: list[int] = field(default_factory=list)


def _truncated(path: Path, have: int, need: int, *, exact: bool = False) -> ModelFileInvalid:
    amount = f"{have:,} of {need:,}" if exact else f"{have:,} of at least {need:,}"
    return ModelFileInvalid(
        f"{path} is truncated ({amount} bytes present) — the download was probably "
        "interrupted. Download it again."
    )


def _damaged(path: Path, problem: str) -> ModelFileInvalid:
    return ModelFileInvalid(f"{path} is damaged: {problem}. {_REDOWNLOAD}")


class _Reader:
    """Buffered little-endian reads that turn running off the end into 'truncated'."""

    def __init__(self, f: BinaryIO, size: int, path: Path) -> None:
        self._f, self.size, self.path = f, size, path
        self._buf, self._base, self._pos = b"", 0, 0

    def tell(self) -> int:
        return self._base + self._pos

    def require(self, n: int) -> None:
        """Fail as truncated unless ``n`` more bytes exist in the file."""
        if self.tell() + n > self.size:
            raise _truncated(self.path, self.size, self.tell() + n)

    def _fill(self, n: int) -> None:
        if len(self._buf) - self._pos >= n:
            return
        self.require(n)
        rest = self._buf[self._pos :]
        self._base, self._pos = self.tell(), 0
        self._f.seek(self._base + len(rest))
        self._buf = rest + self._f.read(max(n - len(rest), _CHUNK))
        if len(self._buf) < n:  # the file shrank while we read it
            raise _truncated(self.path, self._base + len(self._buf), self._base + n)

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
        n = int(self.unpack(_U64)[0])
        if n > _MAX_STRING:
            raise _damaged(self.path, f"a string at byte {self.tell() - 8:,} claims {n:,} bytes")
        return self.take(n)

    def walk_strings(self, count: int, offsets: array[int] | None) -> None:
        """Step over ``count`` strings without decoding them (the vocabulary's hot loop)."""
        buf, pos, base, unpack = self._buf, self._pos, self._base, _U64.unpack_from
        for _ in range(count):
            if len(buf) - pos < 8:
                self._pos = pos
                self._fill(8)
                buf, pos, base = self._buf, self._pos, self._base
            n = unpack(buf, pos)[0]
            if n > _MAX_STRING:
                raise _damaged(self.path, f"a string at byte {base + pos:,} claims {n:,} bytes")
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
        raise _truncated(path, size, _FIXED_HEADER)
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
        f"{path} is not a GGUF model file (it starts with '{shown}'){looks}. {_REDOWNLOAD}"
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


def _read_counts(r: _Reader) -> tuple[int, int]:
    n_tensors, n_kv = (int(v) for v in r.unpack(_COUNTS))
    if n_tensors > _MAX_TENSORS:
        raise _damaged(r.path, f"it claims {n_tensors:,} tensors (at most {_MAX_TENSORS:,})")
    if n_kv > _MAX_KV:
        raise _damaged(r.path, f"it claims {n_kv:,} metadata entries (at most {_MAX_KV:,})")
    r.require(n_kv * _MIN_KV_BYTES + n_tensors * _MIN_TENSOR_BYTES)
    return n_tensors, n_kv


def _read_array(r: _Reader, key: str) -> _Array:
    item_type, count = (int(v) for v in r.unpack(_TYPE_COUNT))
    if count > _MAX_ARRAY:
        raise _damaged(r.path, f"metadata array {key!r} claims {count:,} elements")
    scalar = _SCALARS.get(item_type)
    if item_type == GGUFValueType.STRING:
        r.require(count * 8)
        start = r.tell()
        offsets: array[int] | None = array("Q") if key == _TOKENS_KEY else None
        r.walk_strings(count, offsets)
        return _Array(item_type, count, offsets=offsets, span=(start, r.tell()))
    if scalar is None:
        raise _damaged(r.path, f"metadata array {key!r} has unsupported element type {item_type}")
    r.require(count * scalar.size)
    if count > _KEEP_ARRAY:
        r.skip(count * scalar.size)
        return _Array(item_type, count)
    values = struct.unpack(f"<{count}{scalar.format[-1]}", r.take(count * scalar.size))
    return _Array(item_type, count, values=values)


def _read_value(r: _Reader, key: str, value_type: int) -> _Value:
    scalar = _SCALARS.get(value_type)
    if scalar is not None:
        value: int | float | bool = r.unpack(scalar)[0]
        return value
    if value_type == GGUFValueType.STRING:
        return r.string()
    if value_type == GGUFValueType.ARRAY:
        return _read_array(r, key)
    raise _damaged(r.path, f"metadata entry {key!r} has unknown value type {value_type}")


def _decode(path: Path, raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path, f"{what} is not valid UTF-8 text") from exc


def _read_kv(r: _Reader, count: int) -> dict[str, _Value]:
    kv: dict[str, _Value] = {}
    for _ in range(count):
        key = _decode(r.path, r.string(), f"the metadata key at byte {r.tell():,}")
        if key in kv:
            raise _damaged(r.path, f"metadata key {key!r} appears twice")
        value_type = r.u32()
        if key == "general.alignment" and value_type != GGUFValueType.UINT32:
            # llama.cpp refuses (older builds abort) on any other type for this key.
            raise _damaged(r.path, f"general.alignment has value type {value_type}, not u32")
        kv[key] = _read_value(r, key, value_type)
    return kv


def _read_tensor(r: _Reader) -> _Tensor:
    raw = r.string()
    name = _decode(r.path, raw, f"the tensor name at byte {r.tell():,}")
    if len(raw) > _MAX_TENSOR_NAME:
        raise _damaged(r.path, f"tensor name {name[:80]!r} is longer than {_MAX_TENSOR_NAME} bytes")
    n_dims = r.u32()
    if not 1 <= n_dims <= _MAX_DIMS:
        raise _damaged(r.path, f"tensor {name!r} has {n_dims} dimensions, not 1 to {_MAX_DIMS}")
    shape = struct.unpack(f"<{n_dims}Q", r.take(8 * n_dims))
    ggml_type, offset = (int(v) for v in r.unpack(_TYPE_OFFSET))
    elements = 1
    for dim in shape:
        elements *= dim
        if dim < 1 or elements >= _MAX_ELEMENTS:
            raise _damaged(r.path, f"tensor {name!r} has an impossible shape {list(shape)}")
    return _Tensor(name, shape, ggml_type, offset)


def _read_tensors(r: _Reader, count: int) -> list[_Tensor]:
    tensors = [_read_tensor(r) for _ in range(count)]
    if len({t.name for t in tensors}) != len(tensors):
        raise _damaged(r.path, "two tensors share a name")
    unknown = sorted({t.ggml_type for t in tensors} - set(GGML_QUANT_SIZES))
    if unknown:
        raise ModelFileUnsupported(
            f"{r.path} uses tensor type {unknown[0]}, which this version does not know; it needs "
            "a newer LLMasOS/llama.cpp. Update LLMasOS or pick another quantization of the model."
        )
    return tensors


def _alignment(path: Path, kv: dict[str, _Value]) -> int:
    value = kv.get("general.alignment", _DEFAULT_ALIGNMENT)
    if not isinstance(value, int) or not 0 < value <= _MAX_ALIGNMENT:
        raise _damaged(path, f"general.alignment is {value!r}, not a size up to {_MAX_ALIGNMENT}")
    if value & (value - 1):
        raise _damaged(path, f"general.alignment is {value}, not a power of two")
    return value


def _check_data(r: _Reader, header: _Header, alignment: int) -> None:
    """Size every tensor, and check the ranges are aligned, disjoint and inside the file."""
    spans: list[tuple[int, int, str]] = []
    for t in header.tensors:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(t.ggml_type)]
        if t.shape[0] % block:
            raise _damaged(r.path, f"tensor {t.name!r} has a row of {t.shape[0]} values, "
                           f"not a multiple of its block size {block}")  # fmt: skip
        rows = 1
        for dim in t.shape[1:]:
            rows *= dim
        size = t.shape[0] // block * type_size * rows
        if t.offset % alignment:
            raise _damaged(r.path, f"tensor {t.name!r} is not aligned to {alignment} bytes")
        header.sizes.append(size)
        spans.append((t.offset, t.offset + size, t.name))
    spans.sort()
    for (_, end, before), (start, _, after) in pairwise(spans):
        if start < end:
            raise _damaged(r.path, f"tensors {before!r} and {after!r} overlap")
    data_end = header.data_start + max((end for _, end, _ in spans), default=0)
    if data_end > r.size:
        raise _truncated(r.path, r.size, data_end, exact=True)


def _parse(f: BinaryIO, size: int, path: Path) -> _Header:
    _check_magic(path, f.read(64), size)
    f.seek(0)
    r = _Reader(f, size, path)
    _, version = r.unpack(_MAGIC_VERSION)
    _check_version(path, int(version))
    n_tensors, n_kv = _read_counts(r)
    header = _Header(int(version), _read_kv(r, n_kv), [])
    alignment = _alignment(path, header.kv)
    header.tensors = _read_tensors(r, n_tensors)
    header.data_start = -(-r.tell() // alignment) * alignment
    _check_data(r, header, alignment)
    return header


class _Metadata:
    """Typed access to the metadata keys LLMasOS reads; a wrong type means a damaged file."""

    def __init__(self, path: Path, kv: dict[str, _Value]) -> None:
        self.path, self.kv = path, kv

    def text(self, key: str) -> str | None:
        value = self.kv.get(key)
        if value is None:
            return None
        if not isinstance(value, bytes):
            raise _damaged(self.path, f"metadata {key!r} should be text but is {value!r:.60}")
        return _decode(self.path, value, f"metadata {key!r}")

    def count(self, key: str) -> int | None:
        """A non-negative integer; a per-layer array of them gives its largest value."""
        value = self.kv.get(key)
        if isinstance(value, _Array) and value.values and key != _TOKENS_KEY:
            value = max(value.values)
        if value is None or isinstance(value, _Array):
            return None
        if isinstance(value, (bytes, bool, float)) or value < 0:
            raise _damaged(self.path, f"metadata {key!r} should be a count but is {value!r:.60}")
        return value


def _tensor_quantization(header: _Header) -> str:
    by_type: Counter[int] = Counter()
    for tensor, size in zip(header.tensors, header.sizes, strict=True):
        by_type[tensor.ggml_type] += size
    if not by_type:
        return "unknown"
    return GGMLQuantizationType(by_type.most_common(1)[0][0]).name


def _quantization(file_type: int | None, header: _Header) -> str:
    if file_type is not None:
        plain = file_type & ~_FTYPE_GUESSED if file_type != _FTYPE_GUESSED else file_type
        try:
            name = LlamaFileType(plain).name
        except ValueError:
            log.debug("unknown general.file_type %s; using the tensor types", file_type)
        else:
            if plain != _FTYPE_GUESSED:
                return name.removeprefix("MOSTLY_").removeprefix("ALL_")
    return _tensor_quantization(header)


@dataclass(frozen=True)
class _Vocab:
    size: int | None = None
    bos: str | None = None
    eos: str | None = None
    markers: frozenset[str] = frozenset()


def _read_vocab(f: BinaryIO, meta: _Metadata) -> _Vocab:
    """Find marker tokens and the BOS/EOS texts without building one object per token."""
    tokens = meta.kv.get(_TOKENS_KEY)
    if tokens is None:
        return _Vocab()
    if not isinstance(tokens, _Array) or tokens.offsets is None:
        raise _damaged(meta.path, f"{_TOKENS_KEY} should be a list of strings")
    offsets, (start, end) = tokens.offsets, tokens.span
    if end - start > _MAX_VOCAB_BLOB:
        return _Vocab(size=tokens.count)
    f.seek(start)
    blob = f.read(end - start)

    def token_text(key: str) -> str | None:
        token_id = meta.count(key)
        if token_id is None or token_id >= len(offsets):
            return None  # llama.cpp falls back to a default for out-of-range ids too
        at = offsets[token_id] - start
        n = _U64.unpack_from(blob, at)[0]
        return blob[at + 8 : at + 8 + n].decode("utf-8", "replace")

    def is_token(marker: str) -> bool:
        raw = marker.encode()
        pattern = _U64.pack(len(raw)) + raw
        at = blob.find(pattern)
        while at >= 0:  # a match must begin exactly at a token, not inside one
            i = bisect.bisect_left(offsets, start + at)
            if i < len(offsets) and offsets[i] == start + at:
                return True
            at = blob.find(pattern, at + 1)
        return False

    markers = frozenset(m for m in MARKER_TOKENS if is_token(m))
    bos, eos = token_text("tokenizer.ggml.bos_token_id"), token_text("tokenizer.ggml.eos_token_id")
    return _Vocab(tokens.count, bos, eos, markers)


def _build_info(path: Path, size: int, header: _Header, vocab: _Vocab) -> ModelInfo:
    meta = _Metadata(path, header.kv)
    arch = meta.text("general.architecture")
    if not arch:
        raise ModelFileInvalid(
            f"{path} has no general.architecture entry, so no program can tell what model "
            f"it holds. {_REDOWNLOAD}"
        )
    file_type = meta.count("general.file_type")
    parameters = meta.count("general.parameter_count")
    if parameters is None:
        parameters = sum(_elements(t.shape) for t in header.tensors)
    return ModelInfo(
        path=path, file_size=size, gguf_version=header.version, architecture=arch,
        name=meta.text("general.name"), size_label=meta.text("general.size_label"),
        parameter_count=parameters, file_type=file_type,
        quantization=_quantization(file_type, header),
        context_length=meta.count(f"{arch}.context_length"),
        block_count=meta.count(f"{arch}.block_count"),
        embedding_length=meta.count(f"{arch}.embedding_length"),
        head_count=meta.count(f"{arch}.attention.head_count"),
        head_count_kv=meta.count(f"{arch}.attention.head_count_kv"),
        vocab_size=vocab.size, tokenizer_model=meta.text("tokenizer.ggml.model"),
        chat_template=meta.text("tokenizer.chat_template"), bos_token=vocab.bos,
        eos_token=vocab.eos, tensor_count=len(header.tensors), special_tokens=vocab.markers,
    )  # fmt: skip


def _elements(shape: tuple[int, ...]) -> int:
    total = 1
    for dim in shape:
        total *= dim
    return total


def _open(path: Path) -> BinaryIO:
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ModelFileNotFound(
            f"No model file at {path}. Check the path, or download the model again."
        ) from exc
    except OSError as exc:
        raise ModelFileUnreadable(
            f"{path} cannot be read ({exc.strerror or exc}). Check that the file and its "
            "folders are readable by you."
        ) from exc
    if stat.S_ISDIR(st.st_mode):
        raise ModelFileInvalid(f"{path} is a folder, not a model file. Pick the .gguf file itself.")
    if not stat.S_ISREG(st.st_mode):
        raise ModelFileInvalid(f"{path} is not a regular file. Pick a .gguf model file.")
    if st.st_size == 0:
        raise ModelFileInvalid(f"{path} is empty (0 bytes). {_REDOWNLOAD}")
    try:
        return path.open("rb")
    except FileNotFoundError as exc:
        raise ModelFileNotFound(f"{path} vanished while opening it. Pick it again.") from exc
    except OSError as exc:
        raise ModelFileUnreadable(
            f"{path} cannot be opened ({exc.strerror or exc}). Check the file's permissions, "
            "or copy it to a folder you own."
        ) from exc


def read_model_info(path: str | os.PathLike[str]) -> ModelInfo:
    """Validate a GGUF file's structure and return what its header says.

    Nothing here hands the file to llama.cpp; this is the check that makes that safe.

    Args:
        path: The model file.

    Returns:
        The model's metadata.

    Raises:
        ModelFileNotFound: Nothing exists at ``path``.
        ModelFileUnreadable: The file exists but cannot be read.
        ModelFileInvalid: Not a GGUF file, truncated, or damaged.
        ModelFileUnsupported: A valid GGUF this build cannot use (old version, unknown tensor type).
    """
    file_path = Path(os.fspath(path))
    with _open(file_path) as f:
        try:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                raise ModelFileInvalid(f"{file_path} is empty (0 bytes). {_REDOWNLOAD}")
            header = _parse(f, size, file_path)
            vocab = _read_vocab(f, _Metadata(file_path, header.kv))
            return _build_info(file_path, size, header, vocab)
        except ModelFileError:
            raise
        except OSError as exc:
            raise ModelFileUnreadable(
                f"Reading {file_path} failed ({exc.strerror or exc}). Check the disk or copy "
                "the file elsewhere and try again."
            ) from exc
        except (struct.error, ValueError, ArithmeticError, MemoryError, IndexError, KeyError,
                TypeError) as exc:  # fmt: skip
            log.debug("unexpected error parsing %s", file_path, exc_info=True)
            problem = f"its header cannot be parsed ({type(exc).__name__}: {exc})"
            raise _damaged(file_path, problem) from exc
