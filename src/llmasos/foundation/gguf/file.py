"""GGUF model files: validate before llama.cpp sees them, and read their metadata.

llama.cpp trusts a file's header: a truncated download or a web page saved as
``.gguf`` can make it abort the whole process. :func:`read_model_info` reads the
header with plain little-endian binary reads, checks every count, length and
offset against the file's size (the parser lives in :mod:`._gguf_reader`), and
turns each problem into a typed error from :mod:`llmasos.errors` whose message
says what to do next. The ``gguf`` package is used only for its constants.
"""

from __future__ import annotations

import bisect
import logging
import os
import stat
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gguf.constants import GGMLQuantizationType, LlamaFileType

from llmasos.errors import (
    ModelFileError,
    ModelFileInvalid,
    ModelFileNotFound,
    ModelFileUnreadable,
)
from llmasos.foundation.gguf.model_info import ModelInfo
from llmasos.foundation.gguf.reader import (
    MAGIC,
    REDOWNLOAD,
    SUPPORTED_VERSIONS,
    TOKENS_KEY,
    U64,
    ArrayValue,
    Header,
    Value,
    damaged,
    decode,
    parse_header,
)

log = logging.getLogger(__name__)

# Vocabulary entries that identify a chat format when a model has no template.
MARKER_TOKENS: tuple[str, ...] = (
    "<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>", "<|start_header_id|>",
    "<|eot_id|>", "[INST]", "<|user|>", "<|assistant|>", "<|endoftext|>",
)  # fmt: skip
_MAX_VOCAB_BLOB = 256 * 1024 * 1024
_FTYPE_GUESSED = 1024


class _Metadata:
    """Typed access to the metadata keys LLMasOS reads; a wrong type means a damaged file."""

    def __init__(self, path: Path, kv: dict[str, Value]) -> None:
        self.path, self.kv = path, kv

    def text(self, key: str) -> str | None:
        value = self.kv.get(key)
        if value is None:
            return None
        if not isinstance(value, bytes):
            raise damaged(self.path, f"metadata {key!r} should be text but is {value!r:.60}")
        return decode(self.path, value, f"metadata {key!r}")

    def count(self, key: str) -> int | None:
        """A non-negative integer; a per-layer array of them gives its largest value."""
        value = self.kv.get(key)
        if isinstance(value, ArrayValue) and value.values and key != TOKENS_KEY:
            value = max(value.values)
        if value is None or isinstance(value, ArrayValue):
            return None
        if isinstance(value, (bytes, bool, float)) or value < 0:
            raise damaged(self.path, f"metadata {key!r} should be a count but is {value!r:.60}")
        return value


def _tensor_quantization(header: Header) -> str:
    by_type: Counter[int] = Counter()
    for tensor, size in zip(header.tensors, header.sizes, strict=True):
        by_type[tensor.ggml_type] += size
    if not by_type:
        return "unknown"
    return GGMLQuantizationType(by_type.most_common(1)[0][0]).name


def _quantization(file_type: int | None, header: Header) -> str:
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
    tokens = meta.kv.get(TOKENS_KEY)
    if tokens is None:
        return _Vocab()
    if not isinstance(tokens, ArrayValue) or tokens.offsets is None:
        raise damaged(meta.path, f"{TOKENS_KEY} should be a list of strings")
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
        n = U64.unpack_from(blob, at)[0]
        return blob[at + 8 : at + 8 + n].decode("utf-8", "replace")

    def is_token(marker: str) -> bool:
        raw = marker.encode()
        pattern = U64.pack(len(raw)) + raw
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


def _build_info(path: Path, size: int, header: Header, vocab: _Vocab) -> ModelInfo:
    meta = _Metadata(path, header.kv)
    arch = meta.text("general.architecture")
    if not arch:
        raise ModelFileInvalid(
            f"{path} has no general.architecture entry, so no program can tell what model "
            f"it holds. {REDOWNLOAD}"
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
        raise ModelFileInvalid(f"{path} is empty (0 bytes). {REDOWNLOAD}")
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
                raise ModelFileInvalid(f"{file_path} is empty (0 bytes). {REDOWNLOAD}")
            header = parse_header(f, size, file_path)
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
            raise damaged(file_path, problem) from exc


__all__ = ["MAGIC", "MARKER_TOKENS", "SUPPORTED_VERSIONS", "ModelInfo", "read_model_info"]
