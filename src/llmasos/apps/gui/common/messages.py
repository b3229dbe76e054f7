"""Errors from the services and the foundation, in the UI's language.

The layers below the apps have no Qt and speak English: each error's message says what
happened, with the file names and numbers of the case, and what to do next. Those
layers raise typed errors (:mod:`llmasos.errors`, :mod:`llmasos.foundation.hub.errors`),
so the GUI translates by **type**, never by matching message text: :data:`_SENTENCES`
gives each error class one sentence in the "ErrorText" context (what went wrong and
what to do), found along the class's MRO, so a new subclass falls back to its parent's.

In English the error's own message is shown unchanged (it is more precise than the
class's sentence). In another language the translated sentence is shown, followed by
the values the error carries as attributes (token counts, a wait); file names are
named by the caller's own translated text ("Could not open {name}: {error}"). The
English message stays available to the caller (``str(exc)``) for a tooltip or a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from llmasos.kernel.kernel import Failure

CONTEXT = "ErrorText"  # written out in each QT_TRANSLATE_NOOP: lupdate reads literals

# the kernel's text for a bug inside LLMasOS (llmasos.kernel.kernel.BUG_MESSAGE; a test
# keeps the two equal)
BUG_SENTENCE = QT_TRANSLATE_NOOP(
    "ErrorText",
    "Something went wrong inside LLMasOS. The details are in the log file; please report them.",
)

# (module, class name) -> the sentence; classes are named, not imported, so that this
# table loads nothing (the Hub's errors module stays out of the start-up)
_SENTENCES: dict[tuple[str, str], str] = {
    ("llmasos.errors", "LLMasOSError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The request could not be done."
    ),
    ("llmasos.errors", "ModelFileError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This model file cannot be used. Pick another file."
    ),
    ("llmasos.errors", "ModelFileNotFound"): QT_TRANSLATE_NOOP(
        "ErrorText", "The model file is not there any more. Open it from its new place."
    ),
    ("llmasos.errors", "AmbiguousModelName"): QT_TRANSLATE_NOOP(
        "ErrorText", "Several installed models have this file name; name one by its full name."
    ),
    ("llmasos.errors", "ModelFileUnreadable"): QT_TRANSLATE_NOOP(
        "ErrorText", "The model file cannot be read: check its permissions."
    ),
    ("llmasos.errors", "ModelFileInvalid"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The file is not a usable GGUF model (it is damaged, incomplete or not a model). "
        "Download it again or pick another file.",
    ),
    ("llmasos.errors", "ModelFileUnsupported"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "This GGUF model needs a newer llama.cpp than this build. Update LLMasOS or pick "
        "another model.",
    ),
    ("llmasos.errors", "ModelLoadError"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "llama.cpp could not load the model (often too little memory). Try a smaller model "
        "or a shorter context length.",
    ),
    ("llmasos.errors", "NoModelLoaded"): QT_TRANSLATE_NOOP(
        "ErrorText", "No model is loaded. Open a model first."
    ),
    ("llmasos.errors", "ContextOverflowError"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The text is too long for the model's context ({prompt_tokens} of {n_ctx} tokens). "
        "Shorten it, start a new chat or raise the context length in Settings.",
    ),
    ("llmasos.errors", "ChatTemplateError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The model's chat template failed. Try another model."
    ),
    ("llmasos.errors", "GenerationError"): QT_TRANSLATE_NOOP(
        "ErrorText", "llama.cpp failed while writing the answer. Try again."
    ),
    ("llmasos.errors", "SettingsError"): QT_TRANSLATE_NOOP(
        "ErrorText", "A setting has a value that cannot be used. Correct it and apply again."
    ),
    ("llmasos.errors", "RemoteEngineError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The remote server failed. Check its address and model in Settings."
    ),
    ("llmasos.errors", "RemoteUnreachable"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The remote server cannot be reached. Check its address in Settings and the network.",
    ),
    ("llmasos.errors", "RemoteAuthError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The remote server rejected the API key. Check the key in Settings."
    ),
    ("llmasos.errors", "RemoteModelNotFound"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The remote server does not serve this model. Check the model name in Settings.",
    ),
    ("llmasos.errors", "RemoteRateLimited"): QT_TRANSLATE_NOOP(
        "ErrorText", "The remote server asks to slow down. Wait a moment and try again."
    ),
    ("llmasos.errors", "RemoteTimeout"): QT_TRANSLATE_NOOP(
        "ErrorText", "The remote server did not answer in time. Try again later."
    ),
    ("llmasos.errors", "RemoteStreamBroken"): QT_TRANSLATE_NOOP(
        "ErrorText", "The remote server's answer broke off; the text so far is kept. Try again."
    ),
    ("llmasos.errors", "RemoteProtocolError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The remote server answered with something that is not the expected API."
    ),
    ("llmasos.errors", "ConversationStoreError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The conversation database cannot be opened or written. Check the disk."
    ),
    ("llmasos.errors", "ConversationNotFound"): QT_TRANSLATE_NOOP(
        "ErrorText", "That conversation or message no longer exists."
    ),
    ("llmasos.errors", "ConversationImportError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This file is not an LLMasOS conversation export."
    ),
    ("llmasos.errors", "InvalidInputError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This text or file cannot be used (encoding or format)."
    ),
    ("llmasos.errors", "UnknownLanguageError"): QT_TRANSLATE_NOOP(
        "ErrorText", "LLMasOS does not know this language. Pick one from the list."
    ),
    ("llmasos.errors", "ApiServerError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The API server could not start (its port may be taken). Pick another port."
    ),
    ("llmasos.errors", "DisplayUnavailableError"): QT_TRANSLATE_NOOP(
        "ErrorText", "There is no X11 display to work with other applications."
    ),
    ("llmasos.errors", "HotkeyError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The system-wide shortcut cannot be registered. Pick another one."
    ),
    ("llmasos.errors", "HotkeyInvalidError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This shortcut is not valid on this keyboard. Pick another one."
    ),
    ("llmasos.errors", "HotkeyTakenError"): QT_TRANSLATE_NOOP(
        "ErrorText", "Another program already uses this shortcut. Pick another one."
    ),
    ("llmasos.errors", "PortalError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The desktop portal (Wayland shortcuts and screenshots) does not answer."
    ),
    ("llmasos.errors", "PasteError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The result could not be pasted into the other application; it is copied."
    ),
    ("llmasos.errors", "OcrError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The text in this image could not be recognized."
    ),
    ("llmasos.errors", "OcrUnavailableError"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "Text recognition (OCR) is not installed. Install it with: pip install 'llmasos[ocr]'",
    ),
    ("llmasos.errors", "ImageInvalidError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This is not an image LLMasOS can read (PNG, JPEG, BMP, …)."
    ),
    ("llmasos.errors", "WritingError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This writing request cannot be done. Try again or pick another action."
    ),
    ("llmasos.errors", "ModelStoreError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The models folder cannot be written. Check the disk and its permissions."
    ),
    ("llmasos.errors", "DiskFullError"): QT_TRANSLATE_NOOP(
        "ErrorText", "There is not enough free disk space. Free some space and try again."
    ),
    ("llmasos.errors", "ModelExistsError"): QT_TRANSLATE_NOOP(
        "ErrorText", "A different model with this name is already installed."
    ),
    ("llmasos.errors", "KnowledgeStoreError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The document index cannot be opened or written. Check the disk."
    ),
    ("llmasos.errors", "CollectionNotFound"): QT_TRANSLATE_NOOP(
        "ErrorText", "No document collection has this name."
    ),
    ("llmasos.errors", "CollectionError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The collection cannot be made or changed as asked."
    ),
    ("llmasos.errors", "DocumentError"): QT_TRANSLATE_NOOP(
        "ErrorText", "This document's text cannot be read (encrypted, damaged or not text)."
    ),
    ("llmasos.foundation.hub.errors", "HubError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The model manager failed. Try again."
    ),
    ("llmasos.foundation.hub.errors", "OfflineError"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The Hugging Face Hub cannot be reached. Check the network, or the Hub address "
        "(mirror) in Settings.",
    ),
    ("llmasos.foundation.hub.errors", "InsecureEndpointError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The Hub address in Settings must start with https://."
    ),
    ("llmasos.foundation.hub.errors", "AccessDeniedError"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The Hub refused access (a private repository, or a missing token). Set a Hub token "
        "in Settings.",
    ),
    ("llmasos.foundation.hub.errors", "GatedRepoError"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "This repository is gated: accept its licence on the Hugging Face Hub, then set a "
        "Hub token in Settings.",
    ),
    ("llmasos.foundation.hub.errors", "HubNotFoundError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The repository or file does not exist on the Hub."
    ),
    ("llmasos.foundation.hub.errors", "ChecksumMismatch"): QT_TRANSLATE_NOOP(
        "ErrorText",
        "The downloaded file was damaged (wrong checksum) and was deleted. Download again.",
    ),
    ("llmasos.foundation.hub.errors", "UnsafeFileNameError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The Hub listed a file name that is not safe to save; it was skipped."
    ),
    ("llmasos.foundation.hub.errors", "HubResponseError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The Hub answered in a way LLMasOS cannot use. Try again later."
    ),
    ("llmasos.foundation.hub.errors", "CatalogError"): QT_TRANSLATE_NOOP(
        "ErrorText", "The model catalog is missing or damaged. Reinstall LLMasOS."
    ),
}


def _sentence(exc: BaseException) -> str | None:
    """The catalog sentence of the most specific class of ``exc`` that has one."""
    for cls in type(exc).__mro__:
        sentence = _SENTENCES.get((cls.__module__, cls.__qualname__))
        if sentence is not None:
            return sentence
    return None


def error_text(exc: BaseException) -> str:
    """What to show for ``exc``: its own message in English, else its class's sentence
    in the UI's language (with the numbers it carries)."""
    source = _sentence(exc)
    if source is None:
        return str(exc)
    shown = QCoreApplication.translate(CONTEXT, source)
    if shown == source:  # English, or no translation: the precise original
        return str(exc)
    values = {k: v for k, v in vars(exc).items() if isinstance(v, (int, float, str))}
    try:
        return shown.format(**values)
    except (KeyError, IndexError, ValueError):
        return shown


def failure_text(failure: Failure) -> str:
    """What to show for a failed kernel request (a bug's message translated too)."""
    if failure.error is not None:
        return error_text(failure.error)
    if failure.message == BUG_SENTENCE:
        return QCoreApplication.translate(CONTEXT, BUG_SENTENCE)
    return failure.message


__all__ = ["BUG_SENTENCE", "error_text", "failure_text"]
