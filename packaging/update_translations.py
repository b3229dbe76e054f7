"""Refresh the UI translations: pyside6-lupdate over the app's sources, then pyside6-lrelease.

Run from anywhere: ``python packaging/update_translations.py``. lupdate extracts every
``self.tr("…")``, ``QCoreApplication.translate("Context", "…")`` and
``QT_TRANSLATE_NOOP("Context", "…")`` under ``src/llmasos/apps`` into
``resources/i18n/llmasos_<lang>.ts`` (existing translations are kept; strings no longer
in the code are dropped), then lrelease compiles each ``.ts`` into the ``.qm`` the app
loads. Translate new entries (Qt Linguist, or by editing the XML) and run it again;
``tests/apps/test_i18n.py`` fails while an entry is unfinished or the ``.ts`` is stale.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "llmasos" / "apps"
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN",)


def ts_path(language: str) -> Path:
    """The translation source of ``language`` in the repository."""
    return I18N / f"llmasos_{language}.ts"


def python_sources(folder: Path = SOURCES) -> list[Path]:
    """The ``.py`` files lupdate reads, in a stable order."""
    return sorted(folder.rglob("*.py"))


def lupdate(ts: Path, language: str, sources: list[Path]) -> None:
    """Merge the strings of ``sources`` into ``ts`` (created when missing)."""
    subprocess.run(
        [
            "pyside6-lupdate",
            "-silent",
            "-no-obsolete",
            "-locations",
            "none",
            "-target-language",
            language,
            *map(str, sources),
            "-ts",
            str(ts),
        ],
        check=True,
    )


def lrelease(ts: Path) -> Path:
    """Compile ``ts`` into the ``.qm`` beside it and return its path."""
    qm = ts.with_suffix(".qm")
    subprocess.run(["pyside6-lrelease", "-silent", str(ts), "-qm", str(qm)], check=True)
    return qm


def main(argv: list[str] | None = None) -> int:
    """Update and compile every language; ``--release-only`` skips lupdate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--release-only", action="store_true", help="only compile the .ts files (after translating)"
    )
    args = parser.parse_args(argv)
    I18N.mkdir(parents=True, exist_ok=True)
    sources = python_sources()
    for language in LANGUAGES:
        ts = ts_path(language)
        if not args.release_only:
            lupdate(ts, language, sources)
        print(f"{lrelease(ts).relative_to(ROOT)}")  # command-line output
    return 0


if __name__ == "__main__":
    sys.exit(main())
