"""Frozen records: frozen dataclasses that cost nothing to define.

Python 3.11 writes out and compiles six methods (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``, ``__delattr__``) for every ``@dataclass(frozen=True)``
class, about 0.7 ms each time a module defining one is imported; the app defines over a
dozen before its first frame (its settings above all). :func:`record` makes the same
class — a real dataclass, so ``fields()``, ``replace()`` and ``asdict()`` work as before
— but gives it these six methods from shared functions that read its fields, which costs
~0.02 ms. Instances behave as a frozen dataclass's: keyword or positional arguments with
the fields' defaults and default factories, ``__post_init__``, equality and hashing on
the fields that compare (same class only), the dataclass ``repr`` (fields with
``repr=False`` left out), and ``FrozenInstanceError`` on assignment or deletion.

Use it for plain records that are built rarely (settings, messages); the generic
``__init__`` costs a few microseconds more per instance than a generated one.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:  # typing's own from Python 3.11; type checkers bundle typing_extensions
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[T], T]:
        return lambda decorated: decorated


_FIELDS = "__record_fields__"


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    own: tuple[Field[Any], ...] = getattr(cls, _FIELDS)
    if len(args) > len(own):
        raise TypeError(
            f"{cls.__name__}.__init__() takes {len(own) + 1} positional arguments "
            f"but {len(args) + 1} were given"
        )
    for i, f in enumerate(own):
        if i < len(args):
            if f.name in kwargs:
                raise TypeError(f"{cls.__name__}.__init__() got multiple values for {f.name!r}")
            value = args[i]
        elif f.name in kwargs:
            value = kwargs.pop(f.name)
        elif f.default is not MISSING:
            value = f.default
        elif f.default_factory is not MISSING:
            value = f.default_factory()
        else:
            raise TypeError(f"{cls.__name__}.__init__() missing required argument: {f.name!r}")
        object.__setattr__(self, f.name, value)
    if kwargs:
        name = next(iter(kwargs))
        raise TypeError(f"{cls.__name__}.__init__() got an unexpected keyword argument {name!r}")
    post_init = getattr(self, "__post_init__", None)
    if post_init is not None:
        post_init()


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in getattr(type(self), _FIELDS) if f.compare)


def _eq(self: Any, other: object) -> Any:  # bool, or NotImplemented
    if other.__class__ is self.__class__:
        return _compared(self) == _compared(other)
    return NotImplemented


def _hash(self: Any) -> int:
    own = getattr(type(self), _FIELDS)
    return hash(
        tuple(getattr(self, f.name) for f in own if (f.compare if f.hash is None else f.hash))
    )


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(
        f"{f.name}={getattr(self, f.name)!r}" for f in getattr(type(self), _FIELDS) if f.repr
    )
    return f"{type(self).__qualname__}({shown})"


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen dataclass without generating code for it (see the module)."""
    made: Callable[[type[T]], type[T]] = dataclass(init=False, repr=False, eq=False)
    cls = made(cls)
    own = fields(cls)  # type: ignore[arg-type]
    odd = [f.name for f in own if not f.init or f.kw_only is True]
    if odd:
        raise TypeError(f"record {cls.__name__}: init=False and kw_only fields are not supported")
    setattr(cls, _FIELDS, own)
    for name, method in (
        ("__init__", _init),
        ("__repr__", _repr),
        ("__eq__", _eq),
        ("__hash__", _hash),
        ("__setattr__", _setattr),
        ("__delattr__", _delattr),
    ):
        setattr(cls, name, method)
    return cls


__all__ = ["record"]
