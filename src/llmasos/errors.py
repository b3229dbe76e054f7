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


class RemoteEngineError(LLMasOSError):
    """An OpenAI-compatible server used as the engine failed or refused a request."""


class RemoteUnreachable(ConnectionError, RemoteEngineError):
    """The remote server could not be reached (refused, unknown host, TLS failure)."""


class RemoteAuthError(PermissionError, RemoteEngineError):
    """The remote server rejected the API key (HTTP 401 or 403)."""


class RemoteModelNotFound(LookupError, RemoteEngineError):
    """The remote server does not serve the requested model (HTTP 404 or not listed)."""


class RemoteRateLimited(RemoteEngineError):
    """The remote server asked us to slow down (HTTP 429)."""

    def __init__(self, message: str, *, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RemoteTimeout(TimeoutError, RemoteEngineError):
    """The remote server did not answer in time."""


class RemoteStreamBroken(ConnectionError, RemoteEngineError):
    """The remote stream ended early; ``partial`` holds the text that did arrive."""

    def __init__(self, message: str, *, partial: str) -> None:
        super().__init__(message)
        self.partial = partial


class RemoteProtocolError(RuntimeError, RemoteEngineError):
    """The remote server answered with an error or with something that is not the API."""


class ConversationStoreError(RuntimeError, LLMasOSError):
    """The conversation database cannot be opened or written."""


class ConversationNotFound(KeyError, LLMasOSError):
    """A conversation or message that was asked for no longer exists."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class ConversationImportError(ValueError, LLMasOSError):
    """A file to import is not an LLMasOS conversation export."""


class InvalidInputError(ValueError, LLMasOSError):
    """Input text or a file given by the person cannot be used (encoding, format)."""


class UnknownLanguageError(ValueError, LLMasOSError):
    """A language code or name that LLMasOS does not know."""


class ApiServerError(OSError, LLMasOSError):
    """The local API server could not start (e.g. its port is taken)."""


class DisplayUnavailableError(ConnectionError, LLMasOSError):
    """No X11 display to talk to (Wayland without XWayland, a console, a broken DISPLAY)."""


class HotkeyError(LLMasOSError):
    """A system-wide shortcut cannot be registered."""


class HotkeyInvalidError(ValueError, HotkeyError):
    """The shortcut is malformed or names a key this keyboard does not have."""


class HotkeyTakenError(PermissionError, HotkeyError):
    """Another program already holds the shortcut (X11 answered BadAccess to the grab)."""


class PortalError(ConnectionError, LLMasOSError):
    """The XDG desktop portal (Wayland shortcuts, screenshots) cannot be reached or failed."""


class PasteError(RuntimeError, LLMasOSError):
    """The result could not be pasted into the other application."""


class WritingError(ValueError, LLMasOSError):
    """A writing request cannot be done (unknown action or tone, no usable answer)."""


class ModelStoreError(OSError, LLMasOSError):
    """The local model store's index cannot be written."""


class DiskFullError(ModelStoreError):
    """Not enough free space on the disk for a download or a model file."""


class ModelExistsError(FileExistsError, ModelStoreError):
    """A different file with the same name is already installed."""


class AmbiguousModelName(ModelFileNotFound):
    """A bare file name that several installed models share.

    Attributes:
        choices: The qualified names of those models (``publisher/repo/file.gguf``), any
            of which names one of them.
    """

    def __init__(self, message: str, choices: tuple[str, ...]) -> None:
        super().__init__(message)
        self.choices = choices


class KnowledgeStoreError(RuntimeError, LLMasOSError):
    """The knowledge index (collections of documents) cannot be opened or written."""


class CollectionNotFound(KeyError, LLMasOSError):
    """No document collection has this name."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class CollectionError(ValueError, LLMasOSError):
    """A collection cannot be made or changed as asked (name taken, no such folder)."""


class DocumentError(ValueError, LLMasOSError):
    """A document's text cannot be read (encrypted, damaged, not text); the indexer keeps
    the message as the file's status and goes on with the next file."""


class OcrError(LLMasOSError):
    """Text in an image cannot be recognized."""


class OcrUnavailableError(ImportError, OcrError):
    """The optional OCR packages are not installed (``pip install 'llmasos[ocr]'``)."""


class ImageInvalidError(ValueError, OcrError):
    """The data given as an image is not one (or is empty, or too large)."""
