"""The curated catalog of recommended models (``resources/catalog.json``).

The catalog names repositories, not files: the files are listed on the Hub at
run time, so a re-uploaded model never leaves a dead link here.

Each entry has a ``kind``: ``chat`` (the default: the models that answer) or
``embedding`` (the small models Knowledge turns text into vectors with; they also give
``dim`` and ``recommended_for``, the languages each is the first choice for).
:func:`load_catalog` returns the chat models, as every consumer before embedders
expected; :func:`load_embedders` and :func:`recommended_embedder` the embedders.

Where the file is found: an installed wheel carries it as package data at
``llmasos/resources/catalog.json`` (``src/llmasos/resources`` is a symlink to the
top-level ``resources/`` folder, which setuptools follows when building); a source
checkout whose symlink did not survive (Windows without symlink support) falls
back to ``<repo>/resources/catalog.json``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from llmasos.foundation.hub.errors import CatalogError
from llmasos.records import record

CATALOG_NAME = "catalog.json"
KIND_CHAT = "chat"
KIND_EMBEDDING = "embedding"
KINDS = (KIND_CHAT, KIND_EMBEDDING)
ANY_LANGUAGE = "*"  # in recommended_for: the choice for languages no other entry names
_REPO_RESOURCES = Path(__file__).resolve().parents[4] / "resources"


@record
class CatalogEntry:
    """One recommended model."""

    id: str
    repo: str
    quant: str  # preferred quantization, e.g. "Q4_K_M"
    params_b: float  # billions of parameters
    licence: str
    languages: tuple[str, ...]
    description: str
    kind: str = KIND_CHAT
    dim: int | None = None  # vector length, embedders only
    recommended_for: tuple[str, ...] = ()  # languages this embedder is recommended for
    description_zh: str = ""  # the description in Chinese ("": the English one is shown)

    def describe(self, language: str) -> str:
        """The description for a reader of ``language`` ("zh_CN", "zh", "en", …)."""
        if language.lower().startswith("zh") and self.description_zh:
            return self.description_zh
        return self.description

    @property
    def is_embedder(self) -> bool:
        return self.kind == KIND_EMBEDDING

    @property
    def approx_size(self) -> int:
        """The preferred file's size in bytes before listing it: parameters × bits per weight."""
        from llmasos.foundation.models.fit import BITS_PER_WEIGHT  # not needed at start-up

        return int(self.params_b * 1e9 * BITS_PER_WEIGHT.get(self.quant, 4.85) / 8)


def catalog_text() -> str:
    """The catalog file's text, from the installed package or the source checkout.

    Raises:
        CatalogError: The file is in neither place.
    """
    packaged = resources.files("llmasos").joinpath("resources").joinpath(CATALOG_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    fallback = _REPO_RESOURCES / CATALOG_NAME
    if fallback.is_file():
        return fallback.read_text(encoding="utf-8")
    raise CatalogError(
        f"The model catalog ({CATALOG_NAME}) is missing from this installation. Reinstall LLMasOS."
    )


def _entry(raw: dict[str, Any]) -> CatalogEntry:
    try:
        kind = str(raw.get("kind", KIND_CHAT))
        dim = raw.get("dim")
        entry = CatalogEntry(
            id=str(raw["id"]),
            repo=str(raw["repo"]),
            quant=str(raw["quant"]).upper(),
            params_b=float(raw["params_b"]),
            licence=str(raw["licence"]),
            languages=tuple(str(x) for x in raw["languages"]),
            description=str(raw["description"]),
            kind=kind,
            dim=None if dim is None else int(dim),
            recommended_for=tuple(str(x) for x in raw.get("recommended_for", ())),
            description_zh=str(raw.get("description_zh", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"A catalog entry is malformed ({exc!r}): {raw!r}") from exc
    if kind not in KINDS or (entry.is_embedder and not entry.dim):
        raise CatalogError(f"A catalog entry has an unknown kind or an embedder no dim: {raw!r}")
    return entry


def parse_catalog(text: str) -> tuple[CatalogEntry, ...]:
    """Parse catalog JSON text.

    Raises:
        CatalogError: The text is not a valid catalog.
    """
    try:
        data = json.loads(text)
        models = data["models"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogError(
            f"The model catalog is not valid JSON with a 'models' list ({exc})."
        ) from exc
    entries = tuple(_entry(m) for m in models)
    if len({e.id for e in entries}) != len(entries):
        raise CatalogError("The model catalog has two entries with the same id.")
    return entries


@lru_cache(maxsize=1)
def load_all() -> tuple[CatalogEntry, ...]:
    """Every catalog entry, chat models and embedders, smallest first."""
    return tuple(sorted(parse_catalog(catalog_text()), key=lambda e: (e.params_b, e.id)))


def load_catalog() -> tuple[CatalogEntry, ...]:
    """The recommended chat models, smallest first."""
    return tuple(e for e in load_all() if e.kind == KIND_CHAT)


def load_embedders() -> tuple[CatalogEntry, ...]:
    """The recommended embedding models, smallest first."""
    return tuple(e for e in load_all() if e.is_embedder)


def recommended_embedder(language: str) -> CatalogEntry | None:
    """The embedder recommended for documents in ``language`` (a code such as ``zh``):
    the one naming it in ``recommended_for``, else the one for any language."""
    code = language.lower().split("-", 1)[0]
    embedders = load_embedders()
    for wanted in (code, ANY_LANGUAGE):
        found = next((e for e in embedders if wanted in e.recommended_for), None)
        if found is not None:
            return found
    return None
