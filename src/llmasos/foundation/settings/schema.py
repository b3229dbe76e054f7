"""One table of every setting: its type, default, allowed range, label and help.

Plain data that imports nothing from the rest of llmasos, so any layer may read it
(the engine's :mod:`llmasos.foundation.engine.settings` included). Everything that
has a default or a range of its own takes it from here:

- :class:`~llmasos.foundation.settings.store.AppSettings` and its sections, and the
  engine's ``EngineSettings`` and ``SamplingParams``: their dataclass defaults;
- :data:`~llmasos.foundation.settings.rules.RULES` and ``EngineSettings.validated()``:
  their range and choice checks (:meth:`Field.problem`);
- the command line: its option defaults and help;
- the Settings page: its spin boxes' ranges (it keeps its own translated labels,
  keyed by the same names);
- the API server: its limits on what a request may ask for.

Keys are ``"group.name"`` for the sections of ``AppSettings`` (``"engine.n_ctx"``,
``"sampling.max_tokens"``) and the bare name for its top-level fields
(``"default_model"``). ``saved=False`` marks the engine's own load options that are
not kept in ``settings.json``.
"""

from __future__ import annotations

from typing import Any

from llmasos.records import record

THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
SEED_MAX = 2**31 - 1  # what a QSpinBox can show; llama.cpp takes any uint32
RECENT_MODELS_MAX = 10  # how many recently opened model files are remembered


def _number(value: float) -> str:
    """``1048576`` → ``"1,048,576"``, ``5.0`` → ``"5"``, ``0.5`` → ``"0.5"``."""
    if value == int(value):
        value = int(value)
    return f"{value:,}"


@record
class Field:
    """One setting.

    ``kind`` is ``bool``, ``int``, ``float``, ``str`` or ``tuple`` (of strings).
    A number must lie in ``lo..hi``; ``auto`` names what ``None`` means ("Auto",
    "Random") where ``None`` is allowed, and ``auto_help`` says what it does. A
    string with ``choices`` must be one of them. ``label`` and ``help`` are English,
    for the command line and for error messages.
    """

    key: str
    kind: type
    default: Any
    label: str
    help: str = ""
    lo: float | None = None
    hi: float | None = None
    auto: str = ""
    auto_help: str = ""
    choices: tuple[str, ...] = ()
    saved: bool = True

    @property
    def name(self) -> str:
        """The attribute name: ``"n_ctx"`` for ``"engine.n_ctx"``."""
        return self.key.rpartition(".")[2]

    @property
    def group(self) -> str:
        """The section: ``"engine"`` for ``"engine.n_ctx"``, ``""`` for a top-level field."""
        return self.key.rpartition(".")[0]

    @property
    def title(self) -> str:
        """The label with the key, as messages name a field: ``Context length (engine.n_ctx)``."""
        return f"{self.label} ({self.key})"

    def span(self) -> str:
        """The range as people read it, e.g. ``"256–1,048,576"`` ("" without one)."""
        if self.lo is None or self.hi is None:
            return ""
        return f"{_number(self.lo)}–{_number(self.hi)}"

    def problem(self, value: Any) -> str | None:
        """None when ``value`` is in range (or one of the choices), else a sentence
        naming the field, what it allows and what it got."""
        if self.choices:
            if value in self.choices:
                return None
            return f"{self.title} must be one of {', '.join(self.choices)}; got {value!r}."
        if self.lo is None or self.hi is None:
            return None
        if value is None and self.auto:
            return None
        if value is not None and self.lo <= value <= self.hi:
            return None
        allowed = f"between {_number(self.lo)} and {_number(self.hi)}"
        if self.auto:
            allowed = f"{self.auto} or {allowed}"
        return f"{self.title} must be {allowed}; got {value!r}."

    def cli_help(self, text: str = "", shown: str = "") -> str:
        """Help for a command-line option: ``text`` (default: :attr:`help`), the
        range, and the default (``shown``, else the default value or :attr:`auto_help`)."""
        if not shown:
            shown = self.auto_help if self.default is None else f"{self.default}"
        parts = [p for p in (self.span(), f"default: {shown}") if p]
        return f"{text or self.help} ({'; '.join(parts)})"


def _fields(*items: Field) -> dict[str, Field]:
    return {f.key: f for f in items}


FIELDS: dict[str, Field] = _fields(
    # --- engine: how the model is loaded (EngineConfig, EngineSettings) ---------------
    Field(
        "engine.n_threads",
        int,
        None,
        "Threads",
        "CPU threads for the model",
        1,
        256,
        auto="Auto",
        auto_help=(
            "every core this process may use (at most 16), minus the cores other programs "
            "keep busy, re-checked before each request"
        ),
    ),
    Field(
        "engine.n_ctx",
        int,
        4096,
        "Context length",
        "context length in tokens: what the model can keep in mind, capped at what "
        "it was trained for",
        256,  # below this a chat template and one short message hardly fit
        1_048_576,
    ),
    Field(
        "engine.n_gpu_layers",
        int,
        None,
        "GPU layers",
        "layers to run on the GPU; -1: all, 0: CPU only",
        -1,
        1000,
        auto="Auto",
        auto_help="all of them when this build can use a GPU, else none",
    ),
    Field("engine.n_batch", int, 512, "Batch size", "prompt tokens evaluated per step", 1, 8192),
    Field(
        "engine.flash_attn",
        bool,
        True,
        "Flash attention",
        "faster attention with less memory, wherever llama.cpp supports it (CPUs, most GPUs)",
    ),
    Field(
        "engine.probe",
        bool,
        True,
        "Probe new model files",
        "run a model file not seen before in a child process first",
        saved=False,
    ),
    Field(
        "engine.prompt_lookup",
        int,
        0,
        "Draft tokens for prompt-lookup decoding",
        "draft tokens per step for prompt-lookup decoding; 0: off",
        0,
        64,
        saved=False,
    ),
    # --- sampling: the defaults of each request (SamplingConfig, SamplingParams) -------
    Field(
        "sampling.temperature",
        float,
        0.7,
        "Temperature",
        "randomness; 0 always picks the likeliest token",
        0,
        5,
    ),
    Field(
        "sampling.top_p",
        float,
        0.95,
        "Top-p",
        "sample only from the likeliest tokens that add up to this probability",
        0,
        1,
    ),
    Field(
        "sampling.top_k",
        int,
        40,
        "Top-k",
        "sample only from this many likeliest tokens, 0 for no limit",
        0,
        1000,
    ),
    Field(
        "sampling.min_p",
        float,
        0.05,
        "Min-p",
        "drop tokens less likely than this share of the likeliest",
        0,
        1,
    ),
    Field(
        "sampling.repeat_penalty",
        float,
        1.1,
        "Repeat penalty",
        "above 1 discourages repeating tokens",
        0.5,
        2.5,
    ),
    Field(
        "sampling.seed",
        int,
        None,
        "Seed",
        "random seed; the same seed and settings give the same text",
        0,
        SEED_MAX,
        auto="Random",
        auto_help="a new random seed each time",
    ),
    Field(
        "sampling.max_tokens",
        int,
        1024,  # room for a full answer; a request or a tool asks for less when it needs less
        "Max tokens",
        "the most tokens the model may write in one answer",
        1,
        131_072,
    ),
    # --- ui ---------------------------------------------------------------------------
    Field("ui.theme", str, "system", "Theme", "light, dark, or follow the system", choices=THEMES),
    Field("ui.language", str, "system", "Language", "language of the UI", choices=LANGUAGES),
    Field(
        "ui.enter_sends",
        bool,
        True,
        "Enter sends the message",
        "Enter sends and Shift+Enter starts a new line (off: Ctrl+Enter sends)",
    ),
    # --- hub --------------------------------------------------------------------------
    Field(
        "hub.endpoint",
        str,
        "https://huggingface.co",
        "Hub endpoint",
        "address models are downloaded from",
    ),
    Field("hub.token", str, "", "Hub token", "Hugging Face access token"),
    # --- api: the local OpenAI-compatible server --------------------------------------
    Field("api.enabled", bool, False, "API server", "serve the API while the app runs"),
    Field("api.host", str, "127.0.0.1", "API server address", "address to listen on"),
    Field("api.port", int, 8800, "API server port", "port to listen on", 1, 65535),
    Field("api.api_key", str, "", "API key", "the key programs must send"),
    Field("api.cors_origins", tuple, (), "Allowed web origins", "web pages allowed to call"),
    # --- remote: an OpenAI-compatible server used as the engine -----------------------
    Field("remote.url", str, "", "Remote engine address", "empty: the local model"),
    Field("remote.key", str, "", "Remote engine key", "the server's API key"),
    Field("remote.model", str, "", "Remote model", "empty: the server's first model"),
    # --- models: the model files opened lately ----------------------------------------
    Field(
        "models.recent",
        tuple,
        (),
        "Recent models",
        f"model files opened lately, the latest first (at most {RECENT_MODELS_MAX})",
    ),
    Field(
        "models.load_last",
        bool,
        True,
        "Load the last model at start",
        "at start, with no model given and no default model, load the model opened last",
    ),
    # --- everywhere: acting on other applications' text ------------------------------
    Field(
        "everywhere.hotkey_translate",
        str,
        "Ctrl+Alt+T",
        "Translate shortcut",
        "system-wide shortcut: translate the selected text (empty: none)",
    ),
    Field(
        "everywhere.hotkey_proofread",
        str,
        "Ctrl+Alt+W",
        "Improve shortcut",
        "system-wide shortcut: proofread the selected text (empty: none)",
    ),
    Field(
        "everywhere.hotkey_ask",
        str,
        "Ctrl+Alt+Space",
        "Ask shortcut",
        "system-wide shortcut: the Ask box, with the selected text as context (empty: none)",
    ),
    Field(
        "everywhere.hotkey_ocr",
        str,
        "Ctrl+Alt+O",
        "OCR shortcut",
        "system-wide shortcut: pick a screen region and recognize its text (empty: none)",
    ),
    Field(
        "everywhere.translate_to",
        str,
        "en",
        "Translate into",
        "the language the translate shortcut and the tray translate into (a code or name)",
    ),
    Field(
        "everywhere.keep_in_tray",
        bool,
        True,
        "Keep running in the tray",
        "closing the main window keeps LLMasOS in the system tray (when there is one)",
    ),
    Field(
        "everywhere.tray_explained",
        bool,
        False,
        "Tray explained",
        "the person has been told once that closing the window keeps LLMasOS in the tray",
    ),
    # --- knowledge: search and answers over the person's documents -------------------
    Field(
        "knowledge.embedding_model",
        str,
        "",
        "Embedding model",
        "GGUF embedding model (a path or an installed model's name) that turns documents "
        "and questions into vectors; empty: full-text search only",
    ),
    Field(
        "knowledge.editor_command",
        str,
        "",
        "Editor command",
        "opens a cited text, Markdown or code file at the cited line, e.g. "
        "'code --goto {file}:{line}' or 'gvim +{line} {file}'; empty: the file's usual program",
    ),
    # --- top level --------------------------------------------------------------------
    Field("default_model", str, "", "Default model", "a model name or path"),
    Field("open_windows", tuple, (), "Open windows", "tool windows to reopen"),
)


def default(key: str) -> Any:
    """The default of the setting ``key`` (for dataclass fields)."""
    return FIELDS[key].default


def problem(key: str, value: Any) -> str | None:
    """None when ``value`` is in the range (or among the choices) of ``key``, else why not."""
    field = FIELDS.get(key)
    return field.problem(value) if field is not None else None


__all__ = [
    "FIELDS",
    "LANGUAGES",
    "RECENT_MODELS_MAX",
    "SEED_MAX",
    "THEMES",
    "Field",
    "default",
    "problem",
]
