"""What a GGUF header says about a model, as plain data.

Kept apart from the header reader (:mod:`.gguf_file`, which needs the ``gguf`` package and
numpy) so that the window, the kernel and the status bar can name the type without
paying for the reader at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SOURCE_FILE = "file"
SOURCE_REMOTE = "remote"


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
    source: str = SOURCE_FILE  # where the model runs: a GGUF file here, or a server

    @property
    def is_remote(self) -> bool:
        """Whether this is a server's model (``path`` is then just its name)."""
        return self.source == SOURCE_REMOTE

    @property
    def display_name(self) -> str:
        """The file name of a local model, the server's name of a remote one."""
        return (self.name or self.path.name) if self.is_remote else self.path.name

    @property
    def has_chat_template(self) -> bool:
        return bool(self.chat_template)


__all__ = ["SOURCE_FILE", "SOURCE_REMOTE", "ModelInfo"]
