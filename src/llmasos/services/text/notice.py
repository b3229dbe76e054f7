"""Messages for a person that a user interface can show in another language.

The services speak English. A :class:`Notice` *is* that English text (a ``str``: the
command line, the API, logs and tests use it as they always did) and also keeps the
template it was made from and the values put into it, so the GUI can look the template
up in its translations and fill in the same values (``apps/gui/common/notices.py``).
Values are the person's own text, numbers or other notices, and stay as they are.
"""

from __future__ import annotations


class Notice(str):
    """An English message that remembers its ``template`` and ``values``.

    ``Notice("Numbers missing from the translation: {items}", items="3, 5")`` equals
    ``"Numbers missing from the translation: 3, 5"``.
    """

    template: str
    values: dict[str, str]

    def __new__(cls, template: str, /, **values: object) -> Notice:
        kept = {k: v if isinstance(v, str) else str(v) for k, v in values.items()}
        notice = super().__new__(cls, template.format(**kept))
        notice.template = template
        notice.values = kept
        return notice

    def __reduce__(self) -> tuple[object, ...]:  # pickles as itself, not as a plain str
        return (_rebuild, (self.template, self.values))


def _rebuild(template: str, values: dict[str, str]) -> Notice:
    return Notice(template, **values)


__all__ = ["Notice"]
