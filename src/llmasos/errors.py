"""Every error LLMasOS raises on purpose.

Each one subclasses :class:`LLMasOSError` and the builtin that fits, and its
message says what happened and what the person can do next. Lower-level
exceptions (llama_cpp, huggingface_hub, OSError) are translated into these in
the foundation layer and chained with ``raise ... from``.
"""

from __future__ import annotations


class LLMasOSError(Exception):
    """Base class: an expected failure with a message a person can act on."""


class ModelFileError(LLMasOSError):
    """A model file cannot be used."""


class ModelFileNotFound(FileNotFoundError, ModelFileError):
    """The model path does not exist."""


class ModelFileUnreadable(PermissionError, ModelFileError):
    """The model path exists but cannot be read."""


class ModelFileInvalid(ValueError, ModelFileError):
    """The file is not a usable GGUF model (wrong magic, truncated, corrupt)."""


class ModelFileUnsupported(ValueError, ModelFileError):
    """A valid GGUF file this build cannot run (version, architecture, tensor type)."""


class ModelLoadError(RuntimeError, LLMasOSError):
    """llama.cpp refused or failed to load a file that passed validation."""


class NoModelLoaded(RuntimeError, LLMasOSError):
    """A request needs a model and none is loaded."""


class ContextOverflowError(ValueError, LLMasOSError):
    """The prompt does not fit in the model's context window."""

    def __init__(self, message: str, *, prompt_tokens: int, n_ctx: int) -> None:
        super().__init__(message)
        self.prompt_tokens = prompt_tokens
        self.n_ctx = n_ctx


class ChatTemplateError(ValueError, LLMasOSError):
    """The model's chat template failed to render."""


class GenerationError(RuntimeError, LLMasOSError):
    """llama.cpp failed while evaluating or sampling."""


class SettingsError(ValueError, LLMasOSError):
    """A setting has a value that cannot be used."""
