"""Struct layout: where each field of a struct lives, decided exactly as capnp 0.9.2 decides it.

A struct's fields are packed into a *data section* (whole 64-bit words) and a *pointer section*.
Offsets are part of the wire format, so a compiler that puts one field somewhere else than the
reference does produces incompatible messages.  This module is a faithful re-statement of
``NodeTranslator::StructLayout`` and of the way ``NodeTranslator::StructTranslator`` drives it
(``compiler/node-translator.c++``).

The allocator (low level)
=========================

Three kinds of *scope* accept fields; all share the :class:`FieldScope` interface
(``add_void``, ``add_data``, ``add_pointer``, ``try_expand_data``):

* :class:`StructLayout` -- the struct itself (the reference's ``Top``).  It owns the sizes
  (``data_word_count``, ``pointer_count``) and a :class:`HoleSet`: the padding left over by
  earlier fields, at most one hole of each size 1, 2, 4, 8, 16, 32 bits.  A new data field goes
  into the smallest hole that fits, else a new word is appended.
* :class:`UnionLayout` -- a union.  It is not itself a scope: every *member* of a union is a
  :class:`GroupLayout` (a field directly inside a union is put in a one-member group of its own),
  and all groups of a union overlap.  The union keeps the list of "data locations" and "pointer
  locations" it has obtained from its parent scope; each group reuses them from the start,
  carving them up (and growing them in place where the space right after them is free, the
  reference's ``tryExpand``) before the union asks its parent for more.
* :class:`GroupLayout` -- one member of a union.  A *group that is not in a union* has no layout
  object of its own: its fields are added straight to the enclosing scope.

A union allocates its 16-bit discriminant lazily: at the moment its *second* member group receives
its first field (void fields included), before that field's own space; or when the union's
explicit ordinal comes up; or, at the very latest, when the struct is finished.  Adding a field to
a group also tells the enclosing union chain that a member appeared, even for a void field, so
that nested unions allocate their discriminants at the same moment the reference does.

Offsets returned by ``add_data(lg_size)`` count in units of the field's own size (2**lg_size
bits), as ``slot.offset`` in ``schema.capnp`` does; ``add_pointer()`` returns a pointer index; the
discriminant offset counts 16-bit units.

The order of calls (what the translator must do)
================================================

The reference walks a struct declaration twice.  A translator that wants identical output must
make its calls in the same order.

1. **Build the scopes, in declaration order** (``traverseTopOrGroup`` / ``traverseUnion``).
   Create ``layout = StructLayout()``.  For each member of a scope whose layout object is ``S``
   (a :class:`FieldScope`):

   * field: remember ``S`` as the field's scope;
   * group: walk its members with the *same* ``S``;
   * union (named or unnamed): ``u = UnionLayout(S)``; walk its members with ``u``.

   For each member of a union ``u``:

   * field: ``g = u.new_group()``; remember ``g`` as the field's scope;
   * group: ``g = u.new_group()``; walk its members with ``g`` as their scope;
   * named union: ``inner = u.new_union_member()`` (a one-member group holding a union); walk
     its members with ``inner``.

   The order in which these objects are *created* does not matter; only allocations do.

2. **Allocate, in ordinal order** (``translateInternal``).  Gather every field, and every union
   that has an explicit ordinal (``u @5! :union``, a legacy form), sorted by ordinal (ordinals
   share one space per struct and must be 0, 1, 2, ... without duplicates or gaps).  For each
   one in turn:

   * void field: ``scope.add_void()`` (its offset is 0);
   * data field of 2**n bits: ``offset = scope.add_data(n)``;
     bool n=0; (U)Int8 3; (U)Int16 and enums 4; (U)Int32 and Float32 5; 64-bit types 6;
   * pointer field (Text, Data, List, struct, interface, AnyPointer):
     ``index = scope.add_pointer()``;
   * union with explicit ordinal: ``union.add_discriminant()``; it must return ``True``
     (otherwise the reference reports that only one field may be retroactively unionized).

   Groups and unions without ordinals make no calls here: they are placed implicitly through
   their fields.

3. **Finish** (``finishGroup``).  First for the struct's own unnamed union, if any, then for every
   group or named union in *declaration order* (a pre-order walk: a group before its members):
   if the scope has a union (a named union, or a group / the struct holding an unnamed one), call
   ``union.final_discriminant_offset()``, which allocates the discriminant if that has not
   happened yet and returns it.  Then read ``layout.data_word_count`` and
   ``layout.pointer_count``; every group node of the struct carries the same two sizes.

The same pass also decides each field's position in its parent node's ``fields`` list and its
``discriminantValue``: a field is *registered* when it is first touched in step 2, a group or named
union when its first member is registered (before that member) or when its own ordinal comes up.
Registration appends it to the parent's list and, if it is a union member, gives it the next
discriminant value of that union.  The position is what :func:`purecap.schema.ids.group_id` hashes.
Each list must end up sorted by explicit ordinal; only a union ordinal placed after other
siblings' ordinals can break that, and the reference then fails ("Bootstrap schema failed
validation"), so :func:`compute_struct_layout` rejects it too.

Method parameter lists (``traverseParams``) are the simple case: the i-th parameter is a field of
the struct with ordinal i; there are no unions or groups.

:func:`compute_struct_layout` does all of the above for a plain description of a struct
(:class:`StructDecl` of :class:`FieldDecl`, :class:`GroupDecl`, :class:`UnionDecl`) and returns
every offset, size, ``fields`` order and discriminant the reference would produce.

Issue 344
=========

capnp 0.5.x laid out some unions nested in unions wrongly.  0.9.2 computes the right layout but,
rather than silently changing the layout of affected schemas, refuses them with an error unless
the environment variable ``CAPNP_IGNORE_ISSUE_344`` is set.  We do the same: by default such a
layout raises :class:`Issue344Error`; ``StructLayout(detect_issue_344=False)`` behaves like the
reference with the variable set.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Dict, Final, List, Mapping, Optional, Sequence, Tuple, Union

from purecap.errors import PurecapError
from purecap.schema.ids import group_id

__all__ = [
    "VOID",
    "POINTER",
    "NO_DISCRIMINANT",
    "SIZE_OF_TYPE_KIND",
    "Issue344Error",
    "HoleSet",
    "FieldScope",
    "StructLayout",
    "DataLocation",
    "UnionLayout",
    "GroupLayout",
    "FieldDecl",
    "GroupDecl",
    "UnionDecl",
    "MemberDecl",
    "StructDecl",
    "FieldLayout",
    "ScopeLayout",
    "StructLayoutResult",
    "compute_struct_layout",
]

# --- sizes ---------------------------------------------------------------------------------------

VOID: Final = -1
"""Size code of a Void field: it takes no space (its offset is always 0)."""

POINTER: Final = -2
"""Size code of a pointer field (Text, Data, List, struct, interface, AnyPointer)."""

# Size codes 0..6 are data fields of 2**code bits: the "lg size" the reference passes around.
_WORD_LG_SIZE: Final = 6  # 64 bits
_HOLE_SIZES: Final = 6  # holes exist for lg sizes 0..5 only: a whole free word is not a hole
_DISCRIMINANT_LG_SIZE: Final = 4  # discriminants are 16 bits

NO_DISCRIMINANT: Final = 0xFFFF
"""``Field.discriminantValue`` of a field that is not a union member (``schema.capnp``)."""

SIZE_OF_TYPE_KIND: Final[Mapping[str, int]] = {
    # Keyed by the member names of the ``Type`` union in schema.capnp; the table of
    # translateInternal in node-translator.c++.
    "void": VOID,
    "bool": 0,
    "int8": 3,
    "uint8": 3,
    "int16": 4,
    "uint16": 4,
    "enum": 4,
    "int32": 5,
    "uint32": 5,
    "float32": 5,
    "int64": 6,
    "uint64": 6,
    "float64": 6,
    "text": POINTER,
    "data": POINTER,
    "list": POINTER,
    "struct": POINTER,
    "interface": POINTER,
    "anyPointer": POINTER,
}
"""Size code (:data:`VOID`, :data:`POINTER` or an lg size in bits) of each kind of type."""


class Issue344Error(PurecapError):
    """The reference refuses this layout (capnp issue 344): 0.5.x laid it out differently."""

    def __init__(self) -> None:
        super().__init__(
            "Bad news: Cap'n Proto 0.5.x and previous contained a bug which would cause this "
            "schema to be compiled incorrectly. Please see: "
            "https://github.com/sandstorm-io/capnproto/issues/344"
        )


# --- the hole set --------------------------------------------------------------------------------


class HoleSet:
    """Free padding inside allocated space: at most one hole of each size 2**0 .. 2**5 bits.

    ``holes[n]`` is the offset of the hole of 2**n bits, counted in units of 2**n bits, or 0 if
    there is none.  0 can never be a real hole: the first field allocated always takes offset 0.

    Why one hole per size is enough: fields have power-of-two sizes and are aligned to their size.
    Taking an n-sized piece from the smallest hole of size m >= n leaves exactly one new hole of
    each size n, 2n, ..., m/2, none of which can have existed (m was the smallest).  Appending a
    word works the same way with m = 64.
    """

    __slots__ = ("holes",)

    def __init__(self) -> None:
        self.holes: List[int] = [0] * _HOLE_SIZES

    def try_allocate(self, lg_size: int) -> Optional[int]:
        """Take a 2**lg_size-bit piece out of the holes; its offset, or None if nothing fits."""
        if lg_size >= _HOLE_SIZES:
            return None
        if self.holes[lg_size] != 0:
            result = self.holes[lg_size]
            self.holes[lg_size] = 0
            return result
        # Split the next bigger hole: use its first half, the second half becomes our hole.
        bigger = self.try_allocate(lg_size + 1)
        if bigger is None:
            return None
        result = bigger * 2
        self.holes[lg_size] = result + 1
        return result

    def add_holes_at_end(self, lg_size: int, offset: int, limit_lg_size: int = _HOLE_SIZES) -> None:
        """Record the holes left after a 2**lg_size piece was taken from a fresh 2**limit space.

        ``offset`` is the first free unit right after the piece (in units of 2**lg_size); the free
        rest of the space is one hole of each size lg_size .. limit_lg_size - 1.
        """
        assert limit_lg_size <= _HOLE_SIZES
        while lg_size < limit_lg_size:
            assert self.holes[lg_size] == 0 and offset % 2 == 1
            self.holes[lg_size] = offset
            lg_size += 1
            offset = (offset + 1) // 2

    def try_expand(self, old_lg_size: int, old_offset: int, expansion_factor: int) -> bool:
        """Grow the piece at ``old_offset`` to 2**expansion_factor times its size, in place.

        Possible only if the holes right after it add up to exactly the needed space; on success
        those holes are consumed.
        """
        if expansion_factor == 0:
            return True
        if old_lg_size == _HOLE_SIZES:
            return False  # already a whole word: nothing after it inside a word
        assert old_lg_size < _HOLE_SIZES
        if self.holes[old_lg_size] != old_offset + 1:
            return False  # the space right after the piece is not free
        # Doubling works; see whether the doubled piece can grow on.  Consume the hole only if
        # the whole expansion succeeds.
        if self.try_expand(old_lg_size + 1, old_offset >> 1, expansion_factor - 1):
            self.holes[old_lg_size] = 0
            return True
        return False

    def smallest_at_least(self, lg_size: int) -> Optional[int]:
        """The lg size of the smallest hole of at least 2**lg_size bits, or None."""
        for candidate in range(lg_size, _HOLE_SIZES):
            if self.holes[candidate] != 0:
                return candidate
        return None


# --- scopes --------------------------------------------------------------------------------------


class FieldScope(abc.ABC):
    """Something fields can be added to: the struct itself or one member group of a union.

    (The reference's ``StructOrGroup``.)
    """

    detect_issue_344: bool

    @abc.abstractmethod
    def add_void(self) -> None:
        """A Void field was added: no space, but it still counts as a member being added."""

    @abc.abstractmethod
    def add_data(self, lg_size: int) -> int:
        """Allocate 2**lg_size bits; returns the offset in units of 2**lg_size bits."""

    @abc.abstractmethod
    def add_pointer(self) -> int:
        """Allocate one pointer; returns its index in the pointer section."""

    @abc.abstractmethod
    def try_expand_data(self, old_lg_size: int, old_offset: int, expansion_factor: int) -> bool:
        """Grow an earlier allocation of this scope 2**expansion_factor times, in place, if the
        space right after it is free.  Returns whether it worked."""


class StructLayout(FieldScope):
    """The whole struct (the reference's ``Top``): owns both sections and their sizes."""

    def __init__(self, detect_issue_344: bool = True) -> None:
        self.data_word_count = 0
        self.pointer_count = 0
        self.holes = HoleSet()
        self.detect_issue_344 = detect_issue_344

    def add_void(self) -> None:
        pass

    def add_data(self, lg_size: int) -> int:
        hole = self.holes.try_allocate(lg_size)
        if hole is not None:
            return hole
        # No hole fits: append a word, take its first piece, the rest becomes holes.
        offset = self.data_word_count << (_WORD_LG_SIZE - lg_size)
        self.data_word_count += 1
        self.holes.add_holes_at_end(lg_size, offset + 1)
        return offset

    def add_pointer(self) -> int:
        index = self.pointer_count
        self.pointer_count += 1
        return index

    def try_expand_data(self, old_lg_size: int, old_offset: int, expansion_factor: int) -> bool:
        return self.holes.try_expand(old_lg_size, old_offset, expansion_factor)


class DataLocation:
    """A piece of the parent's data section that a union has claimed: shared by its groups."""

    __slots__ = ("lg_size", "offset")

    def __init__(self, lg_size: int, offset: int) -> None:
        self.lg_size = lg_size
        self.offset = offset  # in units of 2**lg_size bits, within the parent scope

    def try_expand_to(self, union: UnionLayout, new_lg_size: int) -> bool:
        """Grow this location to 2**new_lg_size bits in place (asking the union's parent)."""
        if new_lg_size <= self.lg_size:
            return True
        factor = new_lg_size - self.lg_size
        if union.parent.try_expand_data(self.lg_size, self.offset, factor):
            self.offset >>= factor
            self.lg_size = new_lg_size
            return True
        return False

    def __repr__(self) -> str:
        return f"DataLocation(lg_size={self.lg_size}, offset={self.offset})"


class UnionLayout:
    """A union: the space its member groups overlap in, and its discriminant."""

    def __init__(self, parent: FieldScope) -> None:
        self.parent = parent
        self.detect_issue_344 = parent.detect_issue_344
        self.group_count = 0  # member groups that have received at least one field
        self.discriminant_offset: Optional[int] = None  # in 16-bit units, once allocated
        self.data_locations: List[DataLocation] = []
        self.pointer_locations: List[int] = []

    def new_group(self) -> GroupLayout:
        """The scope of one member: a group, or a field (which is a one-member group)."""
        return GroupLayout(self)

    def new_union_member(self) -> UnionLayout:
        """The layout of a named union that is a member of this union.

        Like a field, it is wrapped in a one-member group of its own.
        """
        return UnionLayout(GroupLayout(self))

    def add_new_data_location(self, lg_size: int) -> int:
        """Claim fresh space from the parent; returns its offset in units of 2**lg_size."""
        offset = self.parent.add_data(lg_size)
        self.data_locations.append(DataLocation(lg_size, offset))
        return offset

    def add_new_pointer_location(self) -> int:
        index = self.parent.add_pointer()
        self.pointer_locations.append(index)
        return index

    def new_group_adding_first_member(self) -> None:
        """A member group got its first field.  The second one to do so makes the union real."""
        self.group_count += 1
        if self.group_count == 2:
            self.add_discriminant()

    def add_discriminant(self) -> bool:
        """Allocate the discriminant unless already done; returns whether it was allocated now.

        The translator calls this when the union's explicit ordinal comes up: ``False`` then
        means more than one member came before the union's ordinal, which the reference rejects.
        """
        if self.discriminant_offset is not None:
            return False
        self.discriminant_offset = self.parent.add_data(_DISCRIMINANT_LG_SIZE)
        return True

    def final_discriminant_offset(self) -> int:
        """The discriminant offset (16-bit units), allocating it now if still needed (finishing)."""
        self.add_discriminant()
        assert self.discriminant_offset is not None
        return self.discriminant_offset


class _LocationUsage:
    """How much of one of its union's data locations a group uses (``DataLocationUsage``).

    The group occupies the first 2**lg_size_used bits of the location, with ``holes`` (offsets
    relative to the location's start) marking the free padding inside that prefix.
    """

    __slots__ = ("is_used", "lg_size_used", "holes")

    def __init__(self, lg_size_used: Optional[int] = None) -> None:
        self.is_used = lg_size_used is not None
        self.lg_size_used = lg_size_used if lg_size_used is not None else 0
        self.holes = HoleSet()

    def smallest_hole_at_least(self, location: DataLocation, lg_size: int) -> Optional[int]:
        """Size of the smallest free spot of at least 2**lg_size bits, without growing the
        location; None if there is none.  Fields go to the smallest fitting spot overall."""
        if not self.is_used:
            # The whole location is one big hole.
            return location.lg_size if lg_size <= location.lg_size else None
        if lg_size >= self.lg_size_used:
            # Too big for any hole inside our prefix, but the location may have room past it.
            return lg_size if lg_size < location.lg_size else None
        hole = self.holes.smallest_at_least(lg_size)
        if hole is not None:
            return hole
        # Smaller than our usage but no hole: doubling our prefix would make one of that size.
        return self.lg_size_used if self.lg_size_used < location.lg_size else None

    def allocate_from_hole(self, location: DataLocation, lg_size: int) -> int:
        """Allocate where :meth:`smallest_hole_at_least` found room; returns the offset within
        the parent scope, in units of 2**lg_size."""
        if not self.is_used:
            result = 0
            self.is_used = True
            self.lg_size_used = lg_size
        elif lg_size >= self.lg_size_used:
            # Double to twice the field's size and take the second half.
            self.holes.add_holes_at_end(self.lg_size_used, 1, lg_size)
            self.lg_size_used = lg_size + 1
            result = 1
        else:
            hole = self.holes.try_allocate(lg_size)
            if hole is not None:
                result = hole
            else:
                # Double the used prefix and allocate at the start of the new half.
                result = 1 << (self.lg_size_used - lg_size)
                self.holes.add_holes_at_end(lg_size, result + 1, self.lg_size_used)
                self.lg_size_used += 1
        return (location.offset << (location.lg_size - lg_size)) + result

    def try_allocate_by_expanding(
        self, group: GroupLayout, location: DataLocation, lg_size: int
    ) -> Optional[int]:
        """Make room by growing the location itself in place; the offset, or None."""
        if not self.is_used:
            if not location.try_expand_to(group.parent, lg_size):
                return None
            self.is_used = True
            self.lg_size_used = lg_size
            return location.offset << (location.lg_size - lg_size)
        new_size = max(self.lg_size_used, lg_size) + 1
        if not self._try_expand_usage(group, location, new_size, new_holes=True):
            return None
        result = self.holes.try_allocate(lg_size)
        assert result is not None
        return (location.offset << (location.lg_size - lg_size)) + result

    def try_expand(
        self,
        group: GroupLayout,
        location: DataLocation,
        old_lg_size: int,
        old_offset: int,
        expansion_factor: int,
    ) -> bool:
        """Grow a piece of this usage (``old_offset`` relative to the location) in place."""
        if old_offset == 0 and self.lg_size_used == old_lg_size:
            # The piece is our whole usage: grow the usage (and the location if needed).
            return self._try_expand_usage(
                group, location, old_lg_size + expansion_factor, new_holes=False
            )
        # The piece shares our usage with other data, so it cannot grow past the end of the
        # usage without overlapping or misaligning: only holes inside can absorb it.
        return self.holes.try_expand(old_lg_size, old_offset, expansion_factor)

    def _try_expand_usage(
        self, group: GroupLayout, location: DataLocation, desired_usage: int, new_holes: bool
    ) -> bool:
        if desired_usage > location.lg_size:
            if not location.try_expand_to(group.parent, desired_usage):
                return False
        if new_holes:
            self.holes.add_holes_at_end(self.lg_size_used, 1, desired_usage)
        elif group.detect_issue_344:
            # capnp <= 0.5 added holes here too, which could overlap fields; 0.9.2 refuses.
            raise Issue344Error()
        self.lg_size_used = desired_usage
        return True


class GroupLayout(FieldScope):
    """One member of a union: a group, or a single field or named union wrapped as one."""

    def __init__(self, parent: UnionLayout) -> None:
        self.parent = parent
        self.detect_issue_344 = parent.detect_issue_344
        # Parallel to parent.data_locations (may lag behind: filled in as they are looked at).
        self._usages: List[_LocationUsage] = []
        self._pointer_locations_used = 0
        self.has_members = False

    def _add_member(self) -> None:
        if not self.has_members:
            self.has_members = True
            self.parent.new_group_adding_first_member()

    def add_void(self) -> None:
        self._add_member()
        # Tell enclosing unions too, so that a union nested in a union allocates its
        # discriminant right before its second member, even if that member is void.
        self.parent.parent.add_void()

    def add_data(self, lg_size: int) -> int:
        self._add_member()
        locations = self.parent.data_locations

        # 1. The smallest free spot among the union's existing locations (first one on ties).
        best_size: Optional[int] = None
        best_index: Optional[int] = None
        for i, location in enumerate(locations):
            if len(self._usages) == i:
                self._usages.append(_LocationUsage())
            hole = self._usages[i].smallest_hole_at_least(location, lg_size)
            if hole is not None and (best_size is None or hole < best_size):
                best_size = hole
                best_index = i
        if best_index is not None:
            return self._usages[best_index].allocate_from_hole(locations[best_index], lg_size)

        # 2. No spot: try growing each location in place, in order.
        for i, location in enumerate(locations):
            result = self._usages[i].try_allocate_by_expanding(self, location, lg_size)
            if result is not None:
                return result

        # 3. Claim a new location from the union's parent.
        result = self.parent.add_new_data_location(lg_size)
        self._usages.append(_LocationUsage(lg_size))
        return result

    def add_pointer(self) -> int:
        self._add_member()
        # Pointers are never packed: the n-th pointer of every member group shares one slot.
        used = self._pointer_locations_used
        self._pointer_locations_used += 1
        if used < len(self.parent.pointer_locations):
            return self.parent.pointer_locations[used]
        return self.parent.add_new_pointer_location()

    def try_expand_data(self, old_lg_size: int, old_offset: int, expansion_factor: int) -> bool:
        must_fail = False
        if (
            old_lg_size + expansion_factor > _WORD_LG_SIZE
            or old_offset & ((1 << expansion_factor) - 1) != 0
        ):
            # Too big or misaligned: impossible.  capnp <= 0.5 went on anyway; 0.9.2 goes on too
            # but refuses the schema if that would have succeeded (issue 344).
            if not self.detect_issue_344:
                return False
            must_fail = True

        for i, usage in enumerate(self._usages):
            location = self.parent.data_locations[i]
            if (
                location.lg_size >= old_lg_size
                and old_offset >> (location.lg_size - old_lg_size) == location.offset
            ):
                # The piece lies in this location; work relative to the location's start.
                local_offset = old_offset - (location.offset << (location.lg_size - old_lg_size))
                result = usage.try_expand(
                    self, location, old_lg_size, local_offset, expansion_factor
                )
                if must_fail and result:
                    raise Issue344Error()
                return result

        raise AssertionError("tried to expand a field that was never allocated")


# --- the whole-struct helper ---------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDecl:
    """A field: ``name @ordinal :Type;``.  ``size`` is VOID, POINTER or an lg size 0..6."""

    name: str
    ordinal: int
    size: int
    type_name: Optional[str] = None
    """The type as written in source; not used for layout (generators and printers use it)."""


@dataclass(frozen=True)
class GroupDecl:
    """A group: ``name :group { members }``."""

    name: str
    members: Tuple[MemberDecl, ...]


@dataclass(frozen=True)
class UnionDecl:
    """A union: ``name [@ordinal] :union { members }``, or ``union { members }`` if name is ''."""

    name: str
    members: Tuple[MemberDecl, ...]
    ordinal: Optional[int] = None


MemberDecl = Union[FieldDecl, GroupDecl, UnionDecl]


@dataclass(frozen=True)
class StructDecl:
    """A struct's members, in declaration order (nested type declarations play no part)."""

    name: str
    members: Tuple[MemberDecl, ...]


@dataclass(frozen=True)
class FieldLayout:
    """One entry of a node's ``fields`` list, as the reference fills it in."""

    name: str
    code_order: int
    discriminant_value: int  # NO_DISCRIMINANT unless a member of the scope's union
    ordinal: Optional[int]  # the explicit ordinal; None for groups and unions without one
    offset: Optional[int]  # slot offset (units of the field's size / pointer index); None: group
    size: Optional[int]  # size code of a slot field; None for a group or named union
    group: Optional[Tuple[str, ...]]  # path of the node a group / named union field stands for


@dataclass(frozen=True)
class ScopeLayout:
    """What the reference puts in the ``struct`` part of the struct node or of one group node."""

    path: Tuple[str, ...]  # names from the struct down; () for the struct itself
    discriminant_count: int
    discriminant_offset: int  # in 16-bit units; 0 when there is no union
    fields: Tuple[FieldLayout, ...]  # in the reference's order (see the module docstring)


@dataclass(frozen=True)
class StructLayoutResult:
    """The layout of a whole struct: its sizes and the content of each of its nodes."""

    data_word_count: int
    pointer_count: int
    scopes: Mapping[Tuple[str, ...], ScopeLayout]  # the struct () and each group / named union

    def node_ids(self, struct_id: int) -> Dict[Tuple[str, ...], int]:
        """The ID of the struct's node (path ``()``) and of each of its group nodes.

        A group's ID hashes its parent node's ID with the group's index in the parent's
        ``fields`` list (:func:`purecap.schema.ids.group_id`).
        """
        ids: Dict[Tuple[str, ...], int] = {(): struct_id}
        # Paths sorted by length: a parent's ID is known before its groups' are needed.
        for path in sorted(self.scopes, key=len):
            for index, entry in enumerate(self.scopes[path].fields):
                if entry.group is not None:
                    ids[entry.group] = group_id(ids[path], index)
        return ids

    def field(self, *path: str) -> FieldLayout:
        """The field reached by names, e.g. ``result.field("u", "g", "x")``."""
        scope = self.scopes[tuple(path[:-1])]
        for candidate in scope.fields:
            if candidate.name == path[-1]:
                return candidate
        raise KeyError(path)


@dataclass(eq=False)
class _Member:
    """Working state for one member or scope (the reference's ``MemberInfo``)."""

    name: str
    parent: Optional[_Member]
    code_order: int
    in_union: bool
    decl: Union[FieldDecl, GroupDecl, UnionDecl, StructDecl]
    path: Tuple[str, ...]
    field_scope: Optional[FieldScope] = None  # for a field: where to allocate it
    union_scope: Optional[UnionLayout] = None  # for a scope that has a union
    # Filled in while allocating:
    index: Optional[int] = None  # position in the parent's fields list, once registered
    discriminant_value: int = NO_DISCRIMINANT
    offset: Optional[int] = None
    children: List[_Member] = dataclass_field(default_factory=list)  # registered, in order
    discriminants_given: int = 0

    def register(self) -> None:
        """Append to the parent's fields list on first touch (``getSchema``)."""
        if self.index is not None:
            return
        parent = self.parent
        assert parent is not None
        self.index = len(parent.children)
        if not parent.children and parent.parent is not None:
            # A group appears in its own parent's list when its first child does.
            parent.register()
        parent.children.append(self)
        if self.in_union:
            self.discriminant_value = parent.discriminants_given
            parent.discriminants_given += 1


class _Walker:
    """Step 1 of the module docstring: build scopes and collect members in declaration order."""

    def __init__(self) -> None:
        self.all_members: List[_Member] = []  # groups and named unions, declaration pre-order
        self.by_ordinal: Dict[int, _Member] = {}

    def _add_ordinal(self, ordinal: int, member: _Member) -> None:
        if ordinal in self.by_ordinal:
            raise ValueError(f"duplicate ordinal @{ordinal} ({member.name!r})")
        self.by_ordinal[ordinal] = member

    def _new(
        self, decl: MemberDecl, parent: _Member, code_order: int, in_union: bool
    ) -> _Member:
        member = _Member(decl.name, parent, code_order, in_union, decl, parent.path + (decl.name,))
        if not isinstance(decl, FieldDecl):
            self.all_members.append(member)
        return member

    def top_or_group(
        self, members: Sequence[MemberDecl], info: _Member, scope: FieldScope, code_order: int = 0
    ) -> int:
        """Walk a struct's or group's members; returns the next code order."""
        for decl in members:
            if isinstance(decl, FieldDecl):
                member = self._new(decl, info, code_order, in_union=False)
                code_order += 1
                member.field_scope = scope
                self._add_ordinal(decl.ordinal, member)
            elif isinstance(decl, GroupDecl):
                if not decl.members:
                    raise ValueError(f"group {decl.name!r} must have at least one member")
                member = self._new(decl, info, code_order, in_union=False)
                code_order += 1
                # A group outside a union is laid out as if its fields were the parent's.
                self.top_or_group(decl.members, member, scope)
            else:
                union = UnionLayout(scope)
                if decl.name == "":
                    # An unnamed union's members belong to the enclosing scope itself and
                    # continue its code order.
                    if decl.ordinal is not None:
                        raise ValueError("an unnamed union cannot have an ordinal")
                    if info.union_scope is not None:
                        raise ValueError("only one unnamed union is allowed per scope")
                    info.union_scope = union
                    code_order = self.union(decl, info, union, code_order)
                else:
                    member = self._new(decl, info, code_order, in_union=False)
                    code_order += 1
                    member.union_scope = union
                    self.union(decl, member, union, 0)
                    if decl.ordinal is not None:
                        self._add_ordinal(decl.ordinal, member)
        return code_order

    def union(self, decl: UnionDecl, info: _Member, union: UnionLayout, code_order: int) -> int:
        """Walk a union's members; returns the next code order."""
        if len(decl.members) < 2:
            raise ValueError(f"union {decl.name!r} must have at least two members")
        for sub in decl.members:
            member = self._new(sub, info, code_order, in_union=True)
            code_order += 1
            if isinstance(sub, FieldDecl):
                member.field_scope = union.new_group()
                self._add_ordinal(sub.ordinal, member)
            elif isinstance(sub, GroupDecl):
                if not sub.members:
                    raise ValueError(f"group {sub.name!r} must have at least one member")
                self.top_or_group(sub.members, member, union.new_group())
            else:
                if sub.name == "":
                    raise ValueError("unions cannot contain unnamed unions")
                member.union_scope = union.new_union_member()
                self.union(sub, member, member.union_scope, 0)
                if sub.ordinal is not None:
                    self._add_ordinal(sub.ordinal, member)
        return code_order


def compute_struct_layout(struct: StructDecl, detect_issue_344: bool = True) -> StructLayoutResult:
    """Lay out ``struct`` exactly as capnp 0.9.2 does.

    Raises ValueError for trees the reference rejects with a compile error (duplicate or skipped
    ordinals, a union with fewer than two members, an empty group, a union ordinal that comes
    after more than one of its members, ...) and :class:`Issue344Error` where the reference
    refuses the layout (see the module docstring).
    """
    layout = StructLayout(detect_issue_344)
    root = _Member(struct.name, None, 0, False, struct, ())
    walker = _Walker()
    walker.top_or_group(struct.members, root, layout)

    # Step 2: allocate in ordinal order.  The reference also rejects gaps in the ordinals.
    for expected, ordinal in enumerate(sorted(walker.by_ordinal)):
        if ordinal != expected:
            raise ValueError(f"skipped ordinal @{expected}; ordinals must be sequential")
        member = walker.by_ordinal[ordinal]
        member.register()
        decl = member.decl
        if isinstance(decl, FieldDecl):
            scope = member.field_scope
            assert scope is not None
            if decl.size == POINTER:
                member.offset = scope.add_pointer()
            elif decl.size == VOID:
                scope.add_void()
                member.offset = 0
            elif 0 <= decl.size <= _WORD_LG_SIZE:
                member.offset = scope.add_data(decl.size)
            else:
                raise ValueError(f"field {decl.name!r} has invalid size code {decl.size}")
        else:
            assert member.union_scope is not None
            if not member.union_scope.add_discriminant():
                raise ValueError(
                    f"union {decl.name!r}: a union's ordinal may be greater than no more than "
                    "one of its members' ordinals (only one field can be retroactively unionized)"
                )

    # Step 3: finish -- the struct first, then groups and unions in declaration order.
    scopes: Dict[Tuple[str, ...], ScopeLayout] = {}
    for member in [root] + walker.all_members:
        discriminant_offset = 0
        if member.union_scope is not None:
            discriminant_offset = member.union_scope.final_discriminant_offset()
        fields = tuple(_field_layout(child) for child in member.children)
        _check_sorted_by_ordinal(member.path, fields)
        scopes[member.path] = ScopeLayout(
            path=member.path,
            discriminant_count=member.discriminants_given,
            discriminant_offset=discriminant_offset,
            fields=fields,
        )
    return StructLayoutResult(layout.data_word_count, layout.pointer_count, scopes)


def _check_sorted_by_ordinal(path: Tuple[str, ...], fields: Sequence[FieldLayout]) -> None:
    """Explicit ordinals must ascend along a ``fields`` list (``schema-loader.c++`` checks this).

    Only a union ordinal can break it: the union enters its parent's list together with its
    first member, carrying its own, larger ordinal.  The reference then fails with "Internal
    compiler bug: Bootstrap schema failed validation ... fields were not ordered by ordinal".
    """
    next_ordinal = 0
    for entry in fields:
        if entry.ordinal is not None:
            if entry.ordinal < next_ordinal:
                where = ".".join(path) or "the struct"
                raise ValueError(
                    f"{where}: {entry.name!r} @{entry.ordinal} comes after ordinal "
                    f"@{next_ordinal - 1} in the fields list (a union ordinal too far after the "
                    "union's first member); the reference fails validating such a schema"
                )
            next_ordinal = entry.ordinal + 1


def _field_layout(member: _Member) -> FieldLayout:
    decl = member.decl
    is_field = isinstance(decl, FieldDecl)
    return FieldLayout(
        name=member.name,
        code_order=member.code_order,
        discriminant_value=member.discriminant_value,
        ordinal=decl.ordinal if isinstance(decl, (FieldDecl, UnionDecl)) else None,
        offset=member.offset,
        size=decl.size if isinstance(decl, FieldDecl) else None,
        group=None if is_field else member.path,
    )
