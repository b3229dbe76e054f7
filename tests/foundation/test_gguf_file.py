"""GGUF validation and metadata on the real test models and on files damaged from them."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import gguf
import numpy as np
import pytest

from llmasos.errors import (
    ModelFileInvalid,
    ModelFileNotFound,
    ModelFileUnsupported,
)
from llmasos.foundation.gguf.file import MARKER_TOKENS, ModelInfo, read_model_info


def _prefix(source: Path, n: int, dest: Path) -> Path:
    """Write the first ``n`` bytes of ``source`` to ``dest`` (never the whole model twice)."""
    with source.open("rb") as src, dest.open("wb") as out:
        remaining = n
        while remaining:
            block = src.read(min(remaining, 1 << 22))
            assert block, "source shorter than requested"
            out.write(block)
            remaining -= len(block)
    return dest


def _patched(source: Path, n: int, dest: Path, at: int, data: bytes) -> Path:
    _prefix(source, n, dest)
    with dest.open("r+b") as f:
        f.seek(at)
        f.write(data)
    return dest


def _small_gguf(path: Path, arch: str = "llama", tokens: list[str] | None = None) -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens or ["<unk>", "<s>", "</s>", "a", "b"])
    writer.add_tensor("x", np.zeros((4, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="session")
def smollm2_layout(smollm2_path: Path) -> dict[str, int]:
    """Byte offsets of the regions of SmolLM2's file, found by gguf's own reader."""
    reader = gguf.GGUFReader(smollm2_path)
    first = reader.tensors[0]
    return {
        "kv_start": reader.fields["general.architecture"].offset,
        "tokens": reader.fields["tokenizer.ggml.tokens"].offset,
        "merges": reader.fields["tokenizer.ggml.merges"].offset,
        "chat_template": reader.fields["tokenizer.chat_template"].offset,
        "tensor_infos": first.field.offset,
        "first_tensor_type": first.field.offset + 8 + len(first.name.encode()) + 4
        + 8 * len(first.shape),
        "data": first.data_offset,
        "size": smollm2_path.stat().st_size,
    }  # fmt: skip


def test_smollm2_metadata(smollm2_path: Path) -> None:
    info = read_model_info(smollm2_path)
    assert isinstance(info, ModelInfo)
    assert info.architecture == "llama"
    assert info.quantization == "Q4_1"
    assert info.file_type == 3
    assert info.gguf_version == 3
    assert info.has_chat_template and "<|im_start|>" in (info.chat_template or "")
    assert {"<|im_start|>", "<|im_end|>"} <= info.special_tokens
    assert "<start_of_turn>" not in info.special_tokens
    assert (info.vocab_size, info.context_length, info.block_count) == (49152, 8192, 30)
    assert (info.embedding_length, info.head_count, info.head_count_kv) == (576, 9, 3)
    assert (info.bos_token, info.eos_token) == ("<|im_start|>", "<|im_end|>")
    assert info.tokenizer_model == "gpt2"
    assert info.size_label == "135M"
    assert info.file_size == smollm2_path.stat().st_size


def test_gemma3_metadata(gemma3_path: Path) -> None:
    info = read_model_info(gemma3_path)
    assert info.architecture == "gemma3"
    assert info.quantization == "Q4_K_M"
    assert info.chat_template is None and not info.has_chat_template
    assert {"<start_of_turn>", "<end_of_turn>"} <= info.special_tokens
    assert "<|im_start|>" not in info.special_tokens
    assert info.vocab_size == 262144
    assert (info.bos_token, info.eos_token) == ("<bos>", "<eos>")
    assert info.tokenizer_model == "llama"


@pytest.mark.parametrize("model", ["smollm2_path", "gemma3_path"])
def test_metadata_matches_gguf_reader(model: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(model)
    info = read_model_info(path)
    reader = gguf.GGUFReader(path)

    def scalar(key: str) -> object:
        return reader.fields[key].contents()

    arch = scalar("general.architecture")
    assert info.architecture == arch
    assert info.context_length == scalar(f"{arch}.context_length")
    assert info.block_count == scalar(f"{arch}.block_count")
    assert info.file_type == scalar("general.file_type")
    assert info.name == scalar("general.name")
    assert info.tensor_count == len(reader.tensors)
    assert info.vocab_size == len(reader.fields["tokenizer.ggml.tokens"].data)
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    assert info.bos_token == tokens[scalar("tokenizer.ggml.bos_token_id")]
    assert info.special_tokens == set(MARKER_TOKENS) & set(tokens)
    expected = sum(int(np.prod(t.shape)) for t in reader.tensors)
    if "general.parameter_count" in reader.fields:
        expected = scalar("general.parameter_count")
    assert info.parameter_count == expected


TRUNCATIONS = {
    "inside magic": lambda lay: 3,
    "inside fixed header": lambda lay: 10,
    "header only": lambda lay: 24,
    "inside first key": lambda lay: lay["kv_start"] + 12,
    "inside vocab array": lambda lay: lay["tokens"] + 300_000,
    "inside merges": lambda lay: lay["merges"] + 5_000,
    "inside chat template": lambda lay: lay["chat_template"] + 100,
    "inside tensor infos": lambda lay: lay["tensor_infos"] + 2_000,
    "at data start": lambda lay: lay["data"],
    "inside tensor data": lambda lay: lay["data"] + 10_000_000,
    "one byte short": lambda lay: lay["size"] - 1,
}


@pytest.mark.parametrize("where", list(TRUNCATIONS))
def test_truncated(where: str, smollm2_path: Path, smollm2_layout: dict[str, int],
                   tmp_path: Path) -> None:  # fmt: skip
    n = TRUNCATIONS[where](smollm2_layout)
    path = _prefix(smollm2_path, n, tmp_path / "cut.gguf")
    with pytest.raises(ModelFileInvalid, match="truncated") as caught:
        read_model_info(path)
    assert f"{n:,} of" in str(caught.value)
    assert "Download it again" in str(caught.value)


def test_wrong_magic(smollm2_path: Path, tmp_path: Path) -> None:
    path = _patched(smollm2_path, 4096, tmp_path / "m.gguf", 0, b"GGUX")
    with pytest.raises(ModelFileInvalid, match=r"not a GGUF model file.*'GGUX"):
        read_model_info(path)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.gguf"
    path.write_bytes(b"\x00\x9f" + random.Random(7).randbytes(10_000))
    with pytest.raises(ModelFileInvalid, match=r"not a GGUF model file \(it starts with '\\x00"):
        read_model_info(path)


def test_html_page(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_text("\n<!DOCTYPE html><html><body>Sign in</body></html>")
    with pytest.raises(ModelFileInvalid, match="web page saved instead of the model") as caught:
        read_model_info(path)
    assert "<!DOCTYPE" in str(caught.value)
    assert "Download it again or pick another file." in str(caught.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.gguf"
    path.touch()
    with pytest.raises(ModelFileInvalid, match="is empty"):
        read_model_info(path)


@pytest.mark.parametrize("version", [1, 99, 0])
def test_unsupported_version(version: int, smollm2_path: Path, tmp_path: Path) -> None:
    path = _patched(smollm2_path, 4096, tmp_path / "v.gguf", 4, struct.pack("<I", version))
    with pytest.raises(ModelFileUnsupported, match=f"GGUF version {version} is not supported"):
        read_model_info(path)


def test_big_endian_version(smollm2_path: Path, tmp_path: Path) -> None:
    path = _patched(smollm2_path, 4096, tmp_path / "be.gguf", 4, struct.pack(">I", 3))
    with pytest.raises(ModelFileUnsupported, match="big-endian"):
        read_model_info(path)


@pytest.mark.parametrize(("at", "value", "match"), [
    (8, 2**40, "tensors"),
    (16, 2**40, "metadata entries"),
    (24, 2**40, "string .* claims"),
])  # fmt: skip
def test_absurd_counts(at: int, value: int, match: str, smollm2_path: Path,
                       tmp_path: Path) -> None:  # fmt: skip
    path = _patched(smollm2_path, 1 << 16, tmp_path / "a.gguf", at, struct.pack("<Q", value))
    with pytest.raises(ModelFileInvalid, match=match) as caught:
        read_model_info(path)
    assert "truncated" not in str(caught.value)


def test_unknown_value_type(smollm2_path: Path, smollm2_layout: dict[str, int],
                            tmp_path: Path) -> None:  # fmt: skip
    at = smollm2_layout["kv_start"] + 8 + len(b"general.architecture")
    path = _patched(smollm2_path, 1 << 16, tmp_path / "t.gguf", at, struct.pack("<I", 99))
    with pytest.raises(ModelFileInvalid, match="unknown value type 99"):
        read_model_info(path)


def test_invalid_utf8_key(smollm2_path: Path, smollm2_layout: dict[str, int],
                          tmp_path: Path) -> None:  # fmt: skip
    path = _patched(smollm2_path, 1 << 16, tmp_path / "u.gguf", smollm2_layout["kv_start"] + 8,
                    b"\xff\xfe")  # fmt: skip
    with pytest.raises(ModelFileInvalid, match="not valid UTF-8"):
        read_model_info(path)


def test_unknown_tensor_type(smollm2_path: Path, smollm2_layout: dict[str, int],
                             tmp_path: Path) -> None:  # fmt: skip
    at = smollm2_layout["first_tensor_type"]
    path = _patched(smollm2_path, smollm2_layout["data"], tmp_path / "q.gguf", at,
                    struct.pack("<I", 200))  # fmt: skip
    with pytest.raises(ModelFileUnsupported, match=r"tensor type 200.*newer LLMasOS/llama\.cpp"):
        read_model_info(path)


def test_misaligned_tensor(smollm2_path: Path, smollm2_layout: dict[str, int],
                           tmp_path: Path) -> None:  # fmt: skip
    at = smollm2_layout["first_tensor_type"] + 4
    path = _patched(smollm2_path, smollm2_layout["data"], tmp_path / "o.gguf", at,
                    struct.pack("<Q", 1))  # fmt: skip
    with pytest.raises(ModelFileInvalid, match="not aligned"):
        read_model_info(path)


def test_too_many_dimensions(smollm2_path: Path, smollm2_layout: dict[str, int],
                             tmp_path: Path) -> None:  # fmt: skip
    reader_name_len = struct.unpack_from("<Q", smollm2_path.read_bytes()[
        smollm2_layout["tensor_infos"] : smollm2_layout["tensor_infos"] + 8])[0]  # fmt: skip
    at = smollm2_layout["tensor_infos"] + 8 + reader_name_len
    path = _patched(smollm2_path, smollm2_layout["data"], tmp_path / "d.gguf", at,
                    struct.pack("<I", 5))  # fmt: skip
    with pytest.raises(ModelFileInvalid, match="5 dimensions"):
        read_model_info(path)


def test_missing_architecture(tmp_path: Path) -> None:
    path = _small_gguf(tmp_path / "s.gguf")
    data = path.read_bytes()
    assert data.count(b"general.architecture") == 1
    path.write_bytes(data.replace(b"general.architecture", b"general.architecturZ"))
    with pytest.raises(ModelFileInvalid, match=r"no general\.architecture"):
        read_model_info(path)


def test_small_valid_file(tmp_path: Path) -> None:
    info = read_model_info(_small_gguf(tmp_path / "s.gguf", tokens=["<s>", "[INST]", "[INST]x"]))
    assert info.architecture == "llama"
    assert info.quantization == "F32"
    assert info.parameter_count == 128
    assert info.special_tokens == {"[INST]"}


def test_tokens_of_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "w.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_array("tokenizer.ggml.tokens", [1, 2, 3])
    writer.add_tensor("x", np.zeros((4, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(ModelFileInvalid, match="list of strings"):
        read_model_info(path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelFileInvalid, match="is a folder"):
        read_model_info(tmp_path)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ModelFileNotFound, match="No model file"):
        read_model_info(tmp_path / "nope.gguf")
