"""Notices from the services (translation and writing checks) in the UI's language.

A service's notice is a :class:`~llmasos.services.text.notice.Notice`: English text that
keeps its template and values. Each template is marked here for lupdate in the
"ServiceText" context, exactly as the service writes it (``tests/apps/
test_i18n_messages.py`` reads the services' sources and fails on a template missing
here, or one here that no service writes any more). :func:`notice_text` looks the
template up and fills in the same values; a plain ``str`` (or an unknown template) is
shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.services.text.notice import Notice

CONTEXT = "ServiceText"  # written out in each QT_TRANSLATE_NOOP: lupdate reads literals

TEMPLATES = frozenset(
    {
        # translation: services/translation/finish.py, repair.py, text.py, service.py,
        # checks.py, lines.py
        QT_TRANSLATE_NOOP("ServiceText", "Missing from the translation: {items}"),
        QT_TRANSLATE_NOOP("ServiceText", "Repeated in the translation: {items}"),
        QT_TRANSLATE_NOOP("ServiceText", "Numbers missing from the translation: {items}"),
        QT_TRANSLATE_NOOP("ServiceText", "Emphasis (**…**) the model dropped was put back."),
        QT_TRANSLATE_NOOP("ServiceText", "Emphasis lost in the translation: {items}"),
        QT_TRANSLATE_NOOP("ServiceText", "Left untranslated: {items}"),
        QT_TRANSLATE_NOOP("ServiceText", "Glossary terms not used: {items}"),
        QT_TRANSLATE_NOOP("ServiceText", "The model talked instead of translating."),
        QT_TRANSLATE_NOOP("ServiceText", "Glossary: “{word}” was replaced by “{term}”."),
        QT_TRANSLATE_NOOP("ServiceText", "Markdown line prefixes were put back as in the source."),
        QT_TRANSLATE_NOOP("ServiceText", "A table row lost cells; check the table."),
        QT_TRANSLATE_NOOP(
            "ServiceText",
            "The translation has {output} lines where the source has {source}; line breaks "
            "and Markdown may not match.",
        ),
        QT_TRANSLATE_NOOP(
            "ServiceText", "Protected items the model dropped were put back in place."
        ),
        QT_TRANSLATE_NOOP(
            "ServiceText",
            "The model joined lines; each line was translated on its own to keep them.",
        ),
        QT_TRANSLATE_NOOP(
            "ServiceText", "The model ran out of room; the end of a part may be missing."
        ),
        QT_TRANSLATE_NOOP(
            "ServiceText",
            "The translation looks like {found}, not {target}. Try again or use a larger model.",
        ),
        QT_TRANSLATE_NOOP(
            "ServiceText", "A number changed in size: {source} ({was}) became {output} ({now})."
        ),
        # writing: services/writing/service.py
        QT_TRANSLATE_NOOP(
            "ServiceText", "The edit deletes words; check them in the changes: {words}."
        ),
        QT_TRANSLATE_NOOP("ServiceText", "The model gave an empty answer."),
        QT_TRANSLATE_NOOP("ServiceText", "The model did not do the task; it answered: {answer}"),
        QT_TRANSLATE_NOOP("ServiceText", "The model repeated the text instead of doing {action}."),
        QT_TRANSLATE_NOOP(
            "ServiceText",
            "The model's answer is far shorter than {action} allows ({got} characters for "
            "{source}); it looks unrelated.",
        ),
        QT_TRANSLATE_NOOP(
            "ServiceText",
            "The model's answer is far longer than {action} allows ({got} characters for "
            "{source}); it looks unrelated.",
        ),
        QT_TRANSLATE_NOOP("ServiceText", "The model answered in another language."),
        QT_TRANSLATE_NOOP("ServiceText", "The model's answer was cut off before it ended."),
        QT_TRANSLATE_NOOP("ServiceText", "Part {n}: {problem}"),
    }
)

ValueText = Callable[[str, str], str]  # (name, value) -> the value as shown


def notice_text(message: str, value_text: ValueText | None = None) -> str:
    """``message`` in the UI's language when it is a known :class:`Notice`.

    Args:
        message: a service's notice, or any text (shown unchanged).
        value_text: shows a value in the UI's language, e.g. a writing action's label
            (values that are notices themselves are translated here first).
    """
    if not isinstance(message, Notice) or message.template not in TEMPLATES:
        return str(message)
    values = {}
    for name, value in message.values.items():
        shown = notice_text(value, value_text)
        values[name] = value_text(name, shown) if value_text is not None else shown
    template = QCoreApplication.translate(CONTEXT, message.template)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a damaged translation: the English
        return str(message)


def notices_text(messages: Iterable[str], value_text: ValueText | None = None) -> str:
    """Several notices, each in the UI's language, joined by spaces."""
    return " ".join(notice_text(m, value_text) for m in messages)


__all__ = ["TEMPLATES", "notice_text", "notices_text"]
