"""Enums and union tags: small ``int`` and ``str`` subclasses that carry a name.

A schema enum becomes a class derived from :class:`DynamicEnum` (an ``int``), with one instance per
enumerant, made once when the schema is loaded: reading an enum field is a tuple index, never an
allocation. Members compare equal to their number *and* to their name, so code written for
pycapnp (``phone.type == "mobile"``) and code written for ``IntEnum``
(``phone.type == Type.mobile``, ``phone.type == 1``) both work.

A message written with a newer schema may hold a number this schema has no enumerant for
(encoding spec: enums are plain UInt16 on the wire). Such a value reads as an *unknown* member:
``name`` is ``None`` and it prints as its number, as the C++ text printer does.

:class:`UnionTag` is what ``which()`` returns: a ``str`` (the active member's name) with ``raw``,
the discriminant.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Sequence, Tuple, Union

from purecap.dynamic.errors import UnknownEnumerant, ValueOutOfRange, did_you_mean

__all__ = ["DynamicEnum", "EnumMeta", "EnumSchema", "make_enum_class", "UnionTag"]


class EnumMeta(type):
    """The class of enum classes: iteration, ``len`` and lookup by name, like ``enum.EnumMeta``."""

    _members: Tuple[DynamicEnum, ...]
    _by_name: Dict[str, DynamicEnum]
    _unknown: Dict[int, DynamicEnum]

    def __iter__(cls) -> Iterator[DynamicEnum]:
        return iter(cls._members)

    def __len__(cls) -> int:
        return len(cls._members)

    def __getitem__(cls, name: str) -> DynamicEnum:
        try:
            return cls._by_name[name]
        except KeyError:
            raise UnknownEnumerant(
                f"enum {cls.__name__} has no enumerant {name!r}"
                + did_you_mean(name, cls._by_name)
            ) from None

    def __contains__(cls, item: object) -> bool:
        if isinstance(item, str):
            return item in cls._by_name
        if isinstance(item, int):
            return 0 <= item < len(cls._members)
        return False

    def __repr__(cls) -> str:
        return f"<enum {cls.__qualname__}>"


class DynamicEnum(int, metaclass=EnumMeta):
    """Base of every schema enum class; its instances are the enumerants.

    ``Color(1)`` and ``Color("green")`` return the member; ``Color.green`` is an attribute;
    ``list(Color)`` lists the members in numeric order.
    """

    name: Optional[str]
    _members = ()
    _by_name: Dict[str, DynamicEnum] = {}
    _unknown: Dict[int, DynamicEnum] = {}

    def __new__(cls, value: Union[int, str]) -> DynamicEnum:  # lookup, never a new enumerant
        return cls.lookup(value)

    @classmethod
    def lookup(cls, value: Union[int, str]) -> DynamicEnum:
        """The member for a number (any UInt16, known or not) or an enumerant name."""
        if isinstance(value, str):
            return cls[value]
        if isinstance(value, int) and not isinstance(value, bool):
            members = cls._members
            if 0 <= value < len(members):
                return members[value]
            if not 0 <= value <= 0xFFFF:
                raise ValueOutOfRange(
                    f"{value} is not a valid {cls.__name__} (enums are UInt16 on the wire)"
                )
            return cls.unknown(value)
        raise UnknownEnumerant(
            f"{value!r} is not a {cls.__name__} (expected an enumerant name or number)"
        )

    @classmethod
    def unknown(cls, value: int) -> DynamicEnum:
        """The member standing for a number with no enumerant (made once per number)."""
        member = cls._unknown.get(value)
        if member is None:
            member = int.__new__(cls, value)
            member.name = None
            cls._unknown[value] = member
        return member

    @property
    def value(self) -> int:
        return int(self)

    @property
    def raw(self) -> int:
        """The number on the wire (pycapnp's name for it)."""
        return int(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.name == other
        return int(self) == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = int.__hash__

    def __str__(self) -> str:
        return self.name if self.name is not None else str(int(self))

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(int(self), spec)

    def __repr__(self) -> str:
        cls = type(self).__name__
        if self.name is None:
            return f"<{cls} (unknown): {int(self)}>"
        return f"<{cls}.{self.name}: {int(self)}>"

    def __reduce__(self) -> Any:
        return (int, (int(self),))  # pickles as its number: the class is made at run time


class EnumSchema:
    """An enum's schema: ``enumerants`` (name to number, pycapnp's shape) and ``node``."""

    def __init__(self, node: Any, names: Sequence[str]) -> None:
        self.node = node
        self.enumerants: Dict[str, int] = {name: number for number, name in enumerate(names)}

    def get_proto(self) -> Any:
        return self.node

    def __repr__(self) -> str:
        return f"<enum schema {', '.join(self.enumerants)}>"


def make_enum_class(name: str, qualname: str, enumerants: Sequence[str]) -> type:
    """A :class:`DynamicEnum` subclass with one member per enumerant (numbered from 0)."""
    cls: Any = EnumMeta(name, (DynamicEnum,), {"__qualname__": qualname})
    members = []
    for number, enumerant in enumerate(enumerants):
        member = int.__new__(cls, number)
        member.name = enumerant
        members.append(member)
    cls._members = tuple(members)
    cls._by_name = {m.name: m for m in members if m.name is not None}
    cls._unknown = {}
    for member in members:
        assert member.name is not None
        if not hasattr(cls, member.name):  # never hide a method (an enumerant named "lookup")
            setattr(cls, member.name, member)
    result: type = cls
    return result


class UnionTag(str):
    """The name of a union's active member, with ``raw``, its discriminant.

    It is also callable (returning itself), so both pycapnp spellings, ``s.which`` and
    ``s.which()``, work. A discriminant this schema does not know (the message comes from a newer
    schema) reads as the empty name. It compares as the ``str`` it is (at C speed: ``==`` is not
    overridden); compare ``raw`` with numbers.
    """

    raw: int

    def __new__(cls, name: str, raw: int) -> UnionTag:
        tag = str.__new__(cls, name)
        tag.raw = raw
        return tag

    def __call__(self) -> UnionTag:
        return self

    def __repr__(self) -> str:
        return f"<which {str.__str__(self)!r} ({self.raw})>"
