"""``record`` classes behave as ``@dataclass(frozen=True)`` ones, side by side."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, asdict, dataclass, field, fields, replace
from typing import Any

import pytest

from llmasos.records import record


@dataclass(frozen=True)
class Inner:
    x: int = 1


@dataclass(frozen=True)
class Made:
    """A frozen dataclass."""

    name: str
    size: int = 3
    secret: str = field(default="k", repr=False)
    tags: tuple[str, ...] = field(default_factory=tuple)
    inner: Inner = field(default_factory=Inner)
    note: str = field(default="", compare=False)


@record
class Rec:
    """The same as a record."""

    name: str
    size: int = 3
    secret: str = field(default="k", repr=False)
    tags: tuple[str, ...] = field(default_factory=tuple)
    inner: Inner = field(default_factory=Inner)
    note: str = field(default="", compare=False)


@record
class Checked:
    n: int = 0

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError("n must be ≥ 0")


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("a",), {}),
    (("a", 5), {}),
    ((), {"name": "b", "secret": "s", "tags": ("t",)}),
    (("c",), {"inner": Inner(2), "note": "n"}),
    (("a", 1, "s", ("u", "v"), Inner(9), "n"), {}),
]


def _same(a: Any, b: Any) -> None:
    assert repr(a).replace("Made", "X") == repr(b).replace("Rec", "X")
    assert asdict(a) == asdict(b)
    assert [f.name for f in fields(a)] == [f.name for f in fields(b)]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_a_record_is_built_and_shown_as_a_frozen_dataclass(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    _same(Made(*args, **kwargs), Rec(*args, **kwargs))


def test_equality_and_hash_follow_the_compared_fields() -> None:
    for args, kwargs in CALLS:
        a, b = Rec(*args, **kwargs), Rec(*args, **kwargs)
        assert a == b and hash(a) == hash(b)
        assert (Made(*args, **kwargs) == Made(*args, **kwargs)) is True
    assert Rec("a", note="x") == Rec("a", note="y")  # compare=False, as a dataclass
    assert Made("a", note="x") == Made("a", note="y")
    assert hash(Rec("a", note="x")) == hash(Rec("a", note="y"))
    assert Rec("a") != Rec("b") and Rec("a") != Rec("a", size=4)
    assert Rec("a") != Made("a")  # another class never equals
    assert {Rec("a"), Rec("a"), Rec("b")} == {Rec("a"), Rec("b")}


def test_replace_copy_and_pickle_keep_the_record() -> None:
    a = Rec("a", tags=("t",))
    b = replace(a, size=7)
    assert b.size == 7 and b.name == "a" and a.size == 3
    assert copy.deepcopy(a) == a and copy.copy(a) == a
    assert pickle.loads(pickle.dumps(a)) == a


def test_a_record_is_frozen() -> None:
    a = Rec("a")
    with pytest.raises(FrozenInstanceError):
        a.size = 4  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del a.size  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        a.other = 1  # type: ignore[attr-defined]
    assert a.size == 3


def test_default_factories_run_per_instance() -> None:
    assert Rec("a").inner is not Rec("a").inner


def test_bad_calls_fail_as_a_dataclass_would() -> None:
    for call in (
        lambda cls: cls(),  # missing name
        lambda cls: cls("a", 1, "s", (), Inner(), "n", "extra"),  # too many
        lambda cls: cls("a", name="b"),  # twice
        lambda cls: cls("a", colour="red"),  # unknown
    ):
        with pytest.raises(TypeError):
            call(Made)
        with pytest.raises(TypeError):
            call(Rec)


def test_post_init_runs() -> None:
    assert Checked(2).n == 2
    with pytest.raises(ValueError, match="≥ 0"):
        Checked(-1)


def test_unsupported_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="not supported"):

        @record
        class Odd:
            a: int = field(default=0, init=False)
