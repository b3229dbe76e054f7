"""One settings schema: the Settings form, the command line and the API server take
their ranges and defaults from ``foundation/settings/schema.py``; these fail on drift."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QSpinBox

from llmasos.apps.api.openapi import openapi_document
from llmasos.apps.api.protocol import _SAMPLING, MAX_TOKENS, Limits
from llmasos.apps.api.server import ServerConfig
from llmasos.apps.cli.main import build_parser
from llmasos.apps.gui.settings.form import FIELD_TEXTS
from llmasos.apps.gui.settings.page import SettingsPage
from llmasos.errors import SettingsError
from llmasos.foundation.settings.schema import FIELDS
from llmasos.foundation.settings.store import SettingsStore

# the Settings form's widget for each schema field it shows
FORM_WIDGETS = {
    "engine.n_threads": "threads",
    "engine.n_ctx": "n_ctx",
    "engine.n_gpu_layers": "gpu_layers",
    "engine.n_batch": "n_batch",
    "engine.flash_attn": "flash_attn",
    "sampling.temperature": "temperature",
    "sampling.top_p": "top_p",
    "sampling.top_k": "top_k",
    "sampling.min_p": "min_p",
    "sampling.repeat_penalty": "repeat_penalty",
    "sampling.seed": "seed",
    "sampling.max_tokens": "max_tokens",
    "api.port": "api_port",
}
# command-line options that set a schema field: (command, dest) -> key
CLI_OPTIONS = {
    **{
        ("chat", name): f"sampling.{name}"
        for name in ("max_tokens", "temperature", "top_p", "top_k", "min_p", "repeat_penalty")
    },
    ("chat", "seed"): "sampling.seed",
    **{(cmd, "ctx"): "engine.n_ctx" for cmd in ("chat", "write", "translate", "serve")},
    **{(cmd, "threads"): "engine.n_threads" for cmd in ("chat", "write", "translate", "serve")},
    ("write", "temperature"): "sampling.temperature",
    ("translate", "seed"): "sampling.seed",
    ("translate", "max_tokens"): "sampling.max_tokens",
    ("serve", "max_tokens_limit"): "sampling.max_tokens",
}
# the options whose default is deliberately not the setting's
CLI_OWN_DEFAULTS = {
    ("write", "temperature"): None,  # None: the app's saved setting
    ("translate", "seed"): 0,  # translations are repeatable unless asked otherwise
    ("serve", "max_tokens_limit"): Limits().max_tokens,  # a server limit, not a setting
}


def _subcommand_actions() -> dict[str, dict[str, argparse.Action]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: {a.dest: a for a in p._actions}
        for name, p in sub.choices.items()
        if name in ("chat", "write", "translate", "serve")
    }


def test_form_texts_name_schema_fields() -> None:
    assert set(FIELD_TEXTS) <= set(FIELDS)
    assert set(FORM_WIDGETS) == set(FIELD_TEXTS)


def test_form_ranges_and_tooltips_are_the_schema_s(qtbot) -> None:
    page = SettingsPage(SettingsStore())
    qtbot.addWidget(page)
    for key, attr in FORM_WIDGETS.items():
        field, widget = FIELDS[key], getattr(page, attr)
        if field.kind is bool:
            assert isinstance(widget, QCheckBox), key
            continue
        assert field.lo is not None and field.hi is not None
        lowest = field.lo - 1 if field.auto else field.lo  # one below shows Auto / Random
        kind = QSpinBox if field.kind is int else QDoubleSpinBox
        assert isinstance(widget, kind), key
        assert (widget.minimum(), widget.maximum()) == (lowest, field.hi), key
        if "{range}" in FIELD_TEXTS[key][2]:
            assert f"({field.span()}" in widget.toolTip(), key
        if field.auto:
            assert widget.specialValueText(), key


def test_form_restores_the_schema_defaults(qtbot) -> None:
    page = SettingsPage(SettingsStore())
    qtbot.addWidget(page)
    page.restore_defaults()
    shown = page.form_settings()
    for key in FORM_WIDGETS:
        field = FIELDS[key]
        assert getattr(getattr(shown, field.group), field.name) == field.default, key


def test_cli_defaults_types_and_help_are_the_schema_s() -> None:
    actions = _subcommand_actions()
    for (command, dest), key in CLI_OPTIONS.items():
        field, action = FIELDS[key], actions[command][dest]
        expected = CLI_OWN_DEFAULTS.get((command, dest), field.default)
        assert action.default == expected, (command, dest)
        assert action.type is field.kind, (command, dest)
        assert action.help and f"({field.span()}; default" in action.help, (command, dest)


def test_every_cli_sampling_and_engine_option_is_covered() -> None:
    """A new option named like a setting must be added to CLI_OPTIONS (and so checked)."""
    names = {f.name for f in FIELDS.values() if f.group in ("engine", "sampling")} | {"ctx"}
    for command, actions in _subcommand_actions().items():
        for dest in actions:
            if dest in names or dest == "max_tokens_limit":
                assert (command, dest) in CLI_OPTIONS, (command, dest)


def test_api_checks_use_the_schema_ranges() -> None:
    by_name = {row[0]: row for row in _SAMPLING}
    for name in ("temperature", "top_p", "top_k", "min_p", "repeat_penalty"):
        field = FIELDS[f"sampling.{name}"]
        assert by_name[name][2:] == (field.kind, field.lo, field.hi), name
    assert MAX_TOKENS is FIELDS["sampling.max_tokens"]
    limits = Limits()
    assert limits.default_max_tokens == FIELDS["sampling.max_tokens"].default
    assert MAX_TOKENS.problem(limits.max_tokens) is None
    props = openapi_document(limits)["components"]["schemas"]["ChatRequest"]
    for name in ("temperature", "top_p", "top_k", "min_p", "repeat_penalty"):
        field = FIELDS[f"sampling.{name}"]
        spec = props["properties"][name]
        assert (spec["minimum"], spec["maximum"]) == (field.lo, field.hi), name


@pytest.mark.parametrize("limit", [0, 131_073])
def test_api_limit_outside_the_setting_s_range_is_refused(limit: int) -> None:
    with pytest.raises(SettingsError, match="1–131,072"):
        ServerConfig(limits=Limits(max_tokens=limit)).checked()
