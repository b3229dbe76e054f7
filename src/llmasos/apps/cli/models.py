"""``llmasos models …`` commands of the model manager (list, search, files, download, …).

The Hub endpoint comes from ``HF_ENDPOINT``, else from the settings file (Settings →
Hub); the token from ``HF_TOKEN``, else from the settings file. Failures raise
:class:`~llmasos.errors.LLMasOSError` subclasses, which ``apps/cli/main.py`` prints as
``error: …`` with exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmasos.errors import LLMasOSError
from llmasos.foundation.hub.errors import HubNotFoundError
from llmasos.foundation.models.fit import estimate_for_entry, recommend
from llmasos.foundation.models.store import InstalledModel, ModelStore
from llmasos.foundation.platform.hardware import gpu_memory
from llmasos.foundation.settings.store import SettingsStore

if TYPE_CHECKING:
    # The Hub client brings httpx and huggingface_hub (~0.5 s of imports): the commands
    # that talk to the Hub import it, so every other command (the parser imports this
    # module), 'llmasos do' above all, starts without it.
    from llmasos.foundation.hub.client import GgufEntry, HubClient
    from llmasos.foundation.hub.download import DownloadProgress


class UsageError(ValueError, LLMasOSError):
    """The command line asks for something that cannot be done as written."""


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str))


def _model_json(m: InstalledModel) -> dict[str, Any]:
    data = asdict(m)
    data["path"] = str(m.path)
    data["origin_label"] = m.origin_label
    return data


def _display_names(models: Sequence[InstalledModel]) -> dict[str, str]:
    """Qualified name → the name to show: the file name, or the qualified name when
    another installed model has the same file name."""
    counts: dict[str, int] = {}
    for m in models:
        counts[m.name.lower()] = counts.get(m.name.lower(), 0) + 1
    return {
        m.qualified_name: m.name if counts[m.name.lower()] == 1 else m.qualified_name
        for m in models
    }


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def hub_client() -> HubClient:
    """A Hub client: ``HF_ENDPOINT`` / ``HF_TOKEN`` when set, else the settings file's."""
    from llmasos.foundation.hub.client import HubClient

    endpoint, token = os.environ.get("HF_ENDPOINT"), os.environ.get("HF_TOKEN")
    if not endpoint or not token:
        hub = SettingsStore().load()[0].hub
        endpoint, token = endpoint or hub.endpoint, token or hub.token
    return HubClient(endpoint, token or None)


def _cmd_list(args: argparse.Namespace) -> int:
    store = ModelStore()
    models = store.models()
    default = store.default()
    if args.json:
        _print_json(
            {
                "default": default.name if default else None,
                "default_qualified_name": default.qualified_name if default else None,
                "models": [_model_json(m) for m in models],
            }
        )
        return 0
    if not models:
        print(f"No models installed (folder: {store.folder}).")
        return 0
    names = _display_names(models)
    rows = [("NAME", "SIZE", "QUANT", "CONTEXT", "ORIGIN", "")]
    for m in models:
        is_default = default is not None and m.qualified_name == default.qualified_name
        flag = "default" if is_default else (m.problem and "broken") or ""
        rows.append(
            (
                names[m.qualified_name],
                _gb(m.size),
                m.quantization or "-",
                str(m.context_length or "-"),
                m.origin_label,
                flag,
            )
        )
    _print_table(rows)
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    repos = hub_client().search(args.query, sort=args.sort, limit=args.limit)
    if args.json:
        _print_json([asdict(r) for r in repos])
        return 0
    rows = [("REPOSITORY", "DOWNLOADS", "LIKES", "")]
    rows += [(r.repo_id, str(r.downloads), str(r.likes), "gated" if r.gated else "") for r in repos]
    _print_table(rows)
    return 0


def _cmd_files(args: argparse.Namespace) -> int:
    entries = hub_client().list_gguf(args.repo, revision=args.revision)
    vram = gpu_memory()  # once for the listing
    best = recommend(entries, args.ctx, repo_id=args.repo, vram=vram)
    out: list[dict[str, Any]] = []
    for e in entries:
        fit = estimate_for_entry(e, args.ctx, repo_id=args.repo, available=None, vram=vram)
        out.append(
            {
                "name": e.name,
                "quantization": e.quantization,
                "size": e.size,
                "parts": [asdict(p) for p in e.parts],
                "fit": fit.verdict,
                "fit_detail": fit.describe(),
                "recommended": e is best,
            }
        )
    if args.json:
        _print_json(out)
        return 0
    rows = [("FILE", "QUANT", "SIZE", "FIT", "")]
    rows += [
        (
            o["name"],
            o["quantization"] or "-",
            _gb(o["size"]),
            o["fit"],
            "recommended" if o["recommended"] else "",
        )
        for o in out
    ]
    _print_table(rows)
    return 0


def _pick(entries: list[GgufEntry], args: argparse.Namespace) -> GgufEntry:
    if args.file:
        for e in entries:
            if args.file in (e.name, e.name.rsplit("/", 1)[-1]):
                return e
        raise HubNotFoundError(
            f"'{args.repo}' has no GGUF file '{args.file}'. "
            f"'llmasos models files {args.repo}' lists them."
        )
    if args.quant:
        matches = [e for e in entries if (e.quantization or "").upper() == args.quant.upper()]
        if not matches:
            have = ", ".join(sorted({e.quantization or "?" for e in entries}))
            raise HubNotFoundError(f"'{args.repo}' has no {args.quant} file (it has: {have}).")
        return min(matches, key=lambda e: e.size)
    best = recommend(entries, repo_id=args.repo)
    if best is None:
        raise UsageError(
            f"No GGUF file of '{args.repo}' fits in this machine's memory. "
            "Pick one with --file or --quant to download it anyway."
        )
    return best


class _ProgressBar:
    """A one-line progress bar on stderr, redrawn with a carriage return."""

    def __init__(self, min_interval: float = 0.2) -> None:
        self._last = 0.0
        self._interval = min_interval
        self.is_drawn = False

    def finish(self) -> None:
        """End the bar's line, if one was drawn."""
        if self.is_drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()

    def __call__(self, p: DownloadProgress) -> None:
        now = time.monotonic()
        if now - self._last < self._interval and p.done < p.total:
            return
        self._last, self.is_drawn = now, True
        width = 30
        filled = int(width * p.fraction)
        eta = f"{int(p.eta_s) // 60}:{int(p.eta_s) % 60:02d}" if p.eta_s is not None else "--:--"
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {p.fraction:6.1%} "
            f"{p.done / 1e6:.1f}/{p.total / 1e6:.1f} MB  "
            f"{p.speed / 1e6:.1f} MB/s  ETA {eta} "
        )
        sys.stderr.flush()


def _cmd_download(args: argparse.Namespace) -> int:
    from llmasos.foundation.hub.download import DownloadControl, Downloader

    client = hub_client()
    entry = _pick(client.list_gguf(args.repo, revision=args.revision), args)
    store = ModelStore()
    store.migrate()  # files of an earlier version's store move before anything is added
    control = DownloadControl()
    bar = _ProgressBar()
    previous = signal.signal(signal.SIGINT, lambda *_: control.pause())
    try:
        result = Downloader(client, store.folder).download(
            args.repo,
            entry,
            revision=args.revision,
            control=control,
            progress=None if args.json else bar,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.finish()
    if not result.is_complete:
        print("Download paused; run the same command again to resume.", file=sys.stderr)
        return 130
    model = store.register(
        result.paths[0],
        source=f"hf:{args.repo}",
        sha256=result.sha256[0],
        revision=args.revision,
        file=entry.parts[0].path,
    )
    if args.json:
        _print_json(_model_json(model))
    else:
        print(
            f"Installed {model.name} from {model.origin_label} ({_gb(model.size)}, "
            f"SHA-256 verified) as {model.qualified_name}."
        )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    model = ModelStore().import_file(Path(args.path), mode=args.mode)
    if args.json:
        _print_json(_model_json(model))
    else:
        print(
            f"Imported {model.name} ({_gb(model.size)}, {model.quantization}) "
            f"as {model.qualified_name}."
        )
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    store = ModelStore()
    model = store.get(args.name)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"Removing '{model.qualified_name}' needs confirmation: add --yes.")
        answer = input(f"Delete {model.qualified_name} ({_gb(model.size)})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return 1
    store.remove(model.qualified_name)
    if args.json:
        _print_json({"removed": model.name, "qualified_name": model.qualified_name})
    else:
        print(f"Removed {model.qualified_name}.")
    return 0


def _sub(subparsers: Any, name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(name, help=help_text)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=func)
    return p


def register(sub: Any) -> None:
    """Add ``llmasos models`` and its subcommands (``info`` and the model manager's)."""
    p = sub.add_parser("models", help="inspect, find, download and manage model files")
    msub = p.add_subparsers(dest="models_cmd", required=True)
    info = msub.add_parser("info", help="print a GGUF file's metadata")
    info.add_argument("path", help="GGUF path or installed model name")
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=_cmd_models_info)
    _register_manager(msub)


def _cmd_models_info(args: argparse.Namespace) -> int:
    from llmasos.foundation.gguf.file import read_model_info
    from llmasos.foundation.models.store import resolve_model

    info = read_model_info(resolve_model(args.path))
    data = asdict(info)
    data["path"] = str(info.path)
    data["special_tokens"] = sorted(info.special_tokens)
    data["has_chat_template"] = info.has_chat_template
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    rows = [
        ("File", info.path.name),
        ("Architecture", info.architecture),
        ("Name", info.name or "-"),
        ("Size label", info.size_label or "-"),
        ("Parameters", f"{info.parameter_count:,}" if info.parameter_count else "-"),
        ("Quantization", info.quantization),
        ("Context length", str(info.context_length or "-")),
        ("Layers", str(info.block_count or "-")),
        ("Embedding size", str(info.embedding_length or "-")),
        ("Vocabulary", str(info.vocab_size or "-")),
        ("Chat template", "yes" if info.has_chat_template else "no"),
        ("File size", f"{info.file_size / 1e6:.1f} MB"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _register_manager(models_subparsers: Any) -> None:
    """The model-manager subcommands of ``llmasos models``."""
    _sub(models_subparsers, "list", "list installed models", _cmd_list)
    p = _sub(models_subparsers, "search", "search the Hub for GGUF models", _cmd_search)
    p.add_argument("query")
    p.add_argument("--sort", choices=("downloads", "likes"), default="downloads")
    p.add_argument("--limit", type=int, default=20)
    p = _sub(models_subparsers, "files", "list a Hub repository's GGUF files", _cmd_files)
    p.add_argument("repo", help="owner/name")
    p.add_argument("--revision")
    p.add_argument("--ctx", type=int, default=4096, help="context length for the fit estimate")
    p = _sub(models_subparsers, "download", "download, verify and install a model", _cmd_download)
    p.add_argument("repo", help="owner/name")
    p.add_argument("--revision")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--file", help="the file (first part of a split model)")
    which.add_argument("--quant", help="quantization, e.g. Q4_K_M")
    p = _sub(models_subparsers, "import", "validate and add a local .gguf file", _cmd_import)
    p.add_argument("path")
    p.add_argument("--mode", choices=("copy", "hardlink", "symlink"), default="copy")
    p = _sub(models_subparsers, "remove", "delete an installed model", _cmd_remove)
    p.add_argument("name", help="file name, or publisher/repo/file.gguf when several share it")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
