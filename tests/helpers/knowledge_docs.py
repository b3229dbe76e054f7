"""Documents the knowledge, grounded-chat and chat-page tests index: a small English
handbook (leave and expenses) whose facts the answers must cite."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

HANDBOOK = {
    "handbook.md": "# Employee handbook\n\n## Annual leave\n\nEvery full-time employee "
    "receives 27 days of paid annual leave per calendar year.\n\n## Sick leave\n\n"
    "Employees may take up to 12 days of paid sick leave per year.\n",
    "expenses.md": "# Expenses\n\n## Hotels\n\nThe hotel allowance is 180 euros per night in "
    "capitals.\n\n## Meals\n\nMeals are reimbursed up to 45 euros per day.\n",
}


def write_docs(folder: Path, docs: Mapping[str, str]) -> Path:
    """Create ``folder`` holding ``docs`` (file name → UTF-8 text); return it."""
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, "utf-8")
    return folder
