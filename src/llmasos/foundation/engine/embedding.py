"""The interface of a text embedder: :class:`Embedder`.

Knowledge (``services/knowledge``) turns chunks and questions into vectors through this
protocol only; the llama.cpp implementation (a GGUF embedding model loaded with
``embedding=True``) lives beside it in this package. Vectors are float32, L2-normalised,
one row per text, so a dot product is the cosine similarity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from llmasos.foundation.engine.cancel import CancelToken


class Embedder(Protocol):
    """One embedding model. Not thread-safe: one thread embeds at a time."""

    @property
    def model_id(self) -> str:
        """Names the model and its settings: vectors from two ids are not comparable."""

    @property
    def dim(self) -> int:
        """Length of every vector."""

    def embed(
        self,
        texts: Sequence[str],
        *,
        query: bool = False,
        cancel: CancelToken | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> npt.NDArray[np.float32]:
        """Vectors for ``texts``, shape ``(len(texts), dim)``, each row of length 1.

        ``query`` marks search questions (models such as e5 or bge prefix them differently
        from passages). ``progress(done, total)`` runs on the calling thread. Raises
        :class:`~llmasos.foundation.engine.cancel.Cancelled` when ``cancel`` is set."""

    def close(self) -> None:
        """Free the model. Safe to call twice."""
