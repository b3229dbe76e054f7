"""The :class:`~llmasos.foundation.engine.embedding.Embedder` on llama.cpp: :class:`LlamaEmbedder`.

A GGUF embedding model (BERT, nomic-bert, XLM-RoBERTa, Qwen3-Embedding…) is loaded with
``embedding=True`` beside the chat model. How it runs:

* **Checked first.** :func:`read_model_info` validates the file, then the probe runs it in
  a child process (:mod:`.probe`, embedding mode) so a llama.cpp path that crashes on this
  machine (the AMX repacking) is turned off instead of taking the app down.
* **Pooling** comes from the file (``{arch}.pooling_type``: mean, CLS or last token); a
  model without one (a chat model used as an embedder) is mean-pooled. With last-token
  pooling every text ends with the end-of-text token, as Qwen3-Embedding was trained.
* **Batching.** Texts are packed, in order, into decodes of up to ``n_batch`` tokens and
  ``n_seq_max`` sequences; each sequence attends only to itself, so a vector does not
  depend on its neighbours (:mod:`.embed_batch` runs one decode).
* **Truncation.** A text longer than the context keeps its first tokens and its closing
  special token (BERT's ``[SEP]``); one warning per call says how many were cut.
* **Prefixes.** Families trained with instructions (e5, nomic-embed, bge, Qwen3-Embedding)
  get their query/passage prefix (:data:`FAMILY_PREFIXES`), chosen from the model's name.
* **Cancel** between decodes and, through llama.cpp's abort callback, inside one.

Not thread-safe: the thread that embeds owns the model (the kernel's worker, normally).
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from llmasos.errors import (
    GenerationError,
    InvalidInputError,
    ModelFileUnsupported,
    ModelLoadError,
    SettingsError,
)
from llmasos.foundation.engine.cancel import Cancelled, CancelToken
from llmasos.foundation.engine.embed_batch import EmbedBatch, embed_batch
from llmasos.foundation.engine.llama_hooks import abort_callback, model_params, route_llama_logs
from llmasos.foundation.engine.runtime import (
    ResolvedSettings,
    RunConfig,
    embedding_kwargs,
    resolve_gpu_layers,
)
from llmasos.foundation.platform import hardware

if TYPE_CHECKING:
    from llmasos.foundation.gguf.model_info import ModelInfo

log = logging.getLogger(__name__)

# llama_pooling_type values (llama.h)
POOLING_NONE, POOLING_MEAN, POOLING_CLS, POOLING_LAST, POOLING_RANK = 0, 1, 2, 3, 4
POOLING_NAMES = {POOLING_MEAN: "mean", POOLING_CLS: "cls", POOLING_LAST: "last"}
DEFAULT_MAX_TOKENS = 2048  # a longer trained context (bge-m3: 8192) is cut to this
_MAX_SEQUENCES = 256  # llama.cpp's LLAMA_MAX_SEQ


@dataclass(frozen=True)
class Prefixes:
    """Text put before a search question (``query``) or a document chunk (``passage``)."""

    query: str = ""
    passage: str = ""


_QWEN3_QUERY = (
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"
)
# (part of the lower-cased model name or file name, prefixes): the first match wins.
FAMILY_PREFIXES: tuple[tuple[str, Prefixes], ...] = (
    ("bge-m3", Prefixes()),  # trained without instructions
    ("e5-", Prefixes("query: ", "passage: ")),  # multilingual-e5-*, e5-*-v2
    ("nomic-embed", Prefixes("search_query: ", "search_document: ")),
    ("qwen3-embedding", Prefixes(_QWEN3_QUERY, "")),
    ("-zh", Prefixes("为这个句子生成表示以用于检索相关文章：", "")),  # bge-*-zh(-v1.5)
    ("bge-", Prefixes("Represent this sentence for searching relevant passages: ", "")),
)


def prefixes_for(*names: str | None) -> Prefixes:
    """The prefixes of the first family in :data:`FAMILY_PREFIXES` that ``names`` mention."""
    text = " ".join(n.lower() for n in names if n)
    for pattern, prefixes in FAMILY_PREFIXES:
        if pattern in text and (pattern != "-zh" or "bge" in text):
            return prefixes
    return Prefixes()


def file_pooling(info: ModelInfo) -> int | None:
    """``{arch}.pooling_type`` from the file's header, or None when it has none."""
    from llmasos.foundation.gguf.reader import parse_header

    with info.path.open("rb") as f:
        header = parse_header(f, info.file_size, info.path)
    value = header.kv.get(f"{info.architecture}.pooling_type")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _null_abort_callback() -> Any:
    import llama_cpp

    return llama_cpp.ggml_abort_callback()  # no argument: a NULL function pointer


class LlamaEmbedder:
    """A GGUF embedding model run by llama.cpp; implements ``Embedder``.

    Args:
        path: The GGUF file.
        max_tokens: Longest text in tokens (and tokens per decode); capped at the model's
            trained context.
        n_threads: CPU threads (None: every core, at most 16).
        n_gpu_layers: Layers to offload (None: all when this llama.cpp can).
        probe: Run the file in a child process first (see :mod:`.probe`).
        prefixes: Query/passage prefixes (None: by the model's family).
        pooling: ``"mean"``, ``"cls"`` or ``"last"`` instead of the file's (None: the file's).

    Raises:
        ModelFileError: the file is missing, unreadable, not GGUF, damaged...
        ModelFileInvalid: llama.cpp crashed running it in every configuration.
        ModelFileUnsupported: it is a reranker, not an embedding model.
        ModelLoadError: llama.cpp refused it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        n_threads: int | None = None,
        n_gpu_layers: int | None = None,
        probe: bool = True,
        prefixes: Prefixes | None = None,
        pooling: str | None = None,
    ) -> None:
        from llmasos.foundation.gguf.file import read_model_info

        info = read_model_info(path)
        names = {name: value for value, name in POOLING_NAMES.items()}
        if pooling is not None and pooling not in names:
            raise SettingsError(f"pooling must be one of {', '.join(names)}; got {pooling!r}.")
        pooled = names[pooling] if pooling is not None else file_pooling(info)
        if pooled == POOLING_RANK:
            raise ModelFileUnsupported(
                f"{info.path.name} is a reranker, not an embedding model. Pick an embedding "
                "model (for example bge-m3 or multilingual-e5)."
            )
        if pooled not in POOLING_NAMES:
            log.info("%s names no pooling; its vectors are mean-pooled", info.path.name)
            pooled = POOLING_MEAN
        n_ctx = max(8, min(max_tokens, info.context_length or max_tokens))
        threads = n_threads or hardware.default_threads()
        gpu = resolve_gpu_layers(n_gpu_layers)
        settings = ResolvedSettings(n_ctx, threads, n_ctx, gpu, False, 0)
        self.info = info
        self.pooling = pooled
        self.settings = settings
        self.prefixes = (
            prefixes if prefixes is not None else prefixes_for(info.name, info.path.name)
        )
        self.run_config, self.notice = self._verdict(probe)
        self._llm: Any = self._load()
        self._batch: EmbedBatch | None = EmbedBatch(settings.n_batch)
        self._n_seq_max = min(settings.n_batch, _MAX_SEQUENCES, self._seq_max())
        self._abort = abort_callback()
        self._no_abort = _null_abort_callback()
        self._tail = self._closing_tokens()
        # Last-token pooling reads the final token, and models trained so (Qwen3-Embedding)
        # end every text with the end-of-text token, which llama.cpp does not add for them.
        self._add_tail = self.pooling == POOLING_LAST and not self._tail
        if self._add_tail:
            self._tail = [self._end_of_text()]
        self.last_tokens = 0  # tokens the last embed() read (for usage reports)

    # -- Embedder ------------------------------------------------------------
    @property
    def model_id(self) -> str:
        p = self.prefixes
        tag = f"{zlib.crc32(f'{p.query}|{p.passage}'.encode()):08x}" if p != Prefixes() else "-"
        return (
            f"{self.info.path.name}#{self.info.file_size}/{POOLING_NAMES[self.pooling]}"
            f"/ctx{self.settings.n_ctx}/{tag}"
        )

    @property
    def dim(self) -> int:
        return int(self._require().n_embd())

    @property
    def n_ctx(self) -> int:
        """Longest text in tokens; longer ones are cut."""
        return self.settings.n_ctx

    def embed(
        self,
        texts: Sequence[str],
        *,
        query: bool = False,
        cancel: CancelToken | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> npt.NDArray[np.float32]:
        """See :meth:`Embedder.embed`. Raises :class:`InvalidInputError` for a text that
        gives no tokens and :class:`GenerationError` when llama.cpp fails."""
        llm = self._require()
        total = len(texts)
        out = np.empty((total, self.dim), dtype=np.float32)
        if total == 0:
            return out
        sequences = self._tokenize(texts, query=query)
        self.last_tokens = sum(len(s) for s in sequences)
        cancel = cancel or CancelToken()
        import llama_cpp

        llama_cpp.llama_set_abort_callback(llm.ctx, self._abort, cancel.address)
        try:
            done = 0
            for group in self._groups(sequences):
                if cancel.is_cancelled:
                    raise Cancelled()
                out[done : done + len(group)] = embed_batch(llm, group, self._batch)
                done += len(group)
                if progress is not None:
                    progress(done, total)
        except GenerationError:
            if cancel.is_cancelled:
                raise Cancelled() from None
            raise
        finally:
            # no callback at all, not strlen with a NULL flag: a later decode (the probe's,
            # llama-cpp-python's own) would call strlen(NULL) and crash
            llama_cpp.llama_set_abort_callback(llm.ctx, self._no_abort, None)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, 1e-12)
        return out

    def close(self) -> None:
        if self._batch is not None:
            self._batch.close()
            self._batch = None
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` as the model sees it (with its special tokens)."""
        return list(self._require().tokenize(text.encode("utf-8"), add_bos=True, special=False))

    # -- inside --------------------------------------------------------------
    def _require(self) -> Any:
        if self._llm is None:
            raise ModelLoadError("The embedding model was closed. Load it again.")
        return self._llm

    def _verdict(self, probe: bool) -> tuple[RunConfig, str | None]:
        from llmasos.foundation.engine import probe as probing
        from llmasos.foundation.engine.runtime import safe_default

        info, settings = self.info, self.settings
        if probe:
            verdict = probing.probe(info.path, settings, pooling=self.pooling)
        else:
            verdict = probing.cached(info.path, settings, pooling=self.pooling) or probing.Verdict(
                safe_default()
            )
        if verdict.notice:
            log.warning("%s: %s", info.path.name, verdict.notice)
        return verdict.config, verdict.notice

    def _load(self) -> Any:
        import llama_cpp

        route_llama_logs()
        kwargs = embedding_kwargs(self.info.path, self.settings, self.run_config, self.pooling)
        try:
            with model_params(extra_bufts=self.run_config.extra_bufts):
                return llama_cpp.Llama(**kwargs)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(
                f"llama.cpp could not load the embedding model {self.info.path.name} ({exc}). "
                "The file may need a newer llama.cpp, or memory is short: pick a smaller model."
            ) from exc

    def _seq_max(self) -> int:
        import llama_cpp

        return int(llama_cpp.llama_n_seq_max(self._require().ctx))

    def _closing_tokens(self) -> list[int]:
        """Special tokens the tokenizer puts after every text (BERT: ``[SEP]``)."""
        bare = self.tokenize("")
        probe = self.tokenize("a")
        tail: list[int] = []
        while bare and probe and bare[-1] == probe[-1] and len(tail) < len(bare):
            tail.insert(0, bare.pop())
            probe.pop()
        return tail

    def _end_of_text(self) -> int:
        """``<|endoftext|>`` when the vocabulary has it as one token, else the EOS token."""
        llm = self._require()
        found = llm.tokenize(b"<|endoftext|>", add_bos=False, special=True)
        return int(found[0]) if len(found) == 1 else int(llm.token_eos())

    def _tokenize(self, texts: Sequence[str], *, query: bool) -> list[list[int]]:
        prefix = self.prefixes.query if query else self.prefixes.passage
        limit = self.settings.n_ctx
        tail = self._tail
        sequences: list[list[int]] = []
        cut = 0
        for i, text in enumerate(texts):
            tokens = self.tokenize(prefix + text)
            if self._add_tail:
                tokens += tail
            if not tokens:
                raise InvalidInputError(f"Text {i + 1} gives no tokens; it cannot be embedded.")
            if len(tokens) > limit:
                cut += 1
                tokens = tokens[: limit - len(tail)] + tail
            sequences.append(tokens)
        if cut:
            log.warning(
                "%d of %d texts were longer than %d tokens and were cut to fit %s",
                cut, len(texts), limit, self.info.path.name,
            )  # fmt: skip
        return sequences

    def _groups(self, sequences: list[list[int]]) -> list[list[list[int]]]:
        """``sequences`` in order, packed into decodes of at most ``n_batch`` tokens."""
        groups: list[list[list[int]]] = []
        current: list[list[int]] = []
        used = 0
        for tokens in sequences:
            n = len(tokens)
            if current and (used + n > self.settings.n_batch or len(current) >= self._n_seq_max):
                groups.append(current)
                current, used = [], 0
            current.append(tokens)
            used += n
        if current:
            groups.append(current)
        return groups


__all__ = ["FAMILY_PREFIXES", "LlamaEmbedder", "Prefixes", "prefixes_for"]
