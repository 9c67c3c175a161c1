"""Typed readers and builders for the structs of ``schema.capnp`` (capnp 0.9.2).

STAND-IN: hand-written until the code generator (issue 5) generates this module from
``/usr/include/capnp/schema.capnp``; a test will then check the generated one is identical in
behaviour.  It holds just what :mod:`purecap.schema.nodes` needs.

Every offset below is the one the reference compiler assigns: ``capnp compile -ocapnp
/usr/include/capnp/schema.capnp`` prints ``bits[a, b)`` (data section) and ``ptr[i]`` (pointer
section) for each field and ``tag bits [a, b)`` for each union's discriminant.  Primitive offsets
here are in *bytes* (bits / 8), Bool offsets in bits.  Integer fields are stored XORed with their
default (encoding.html, "Default values"); the only non-zero default in this schema is
``Field.discriminantValue = 0xffff``.

Text is read and written as UTF-8 with ``surrogateescape`` so that any bytes survive a round
trip; a null Text reads as ``None`` where the caller must tell null from empty.
"""

from __future__ import annotations

import struct
from typing import Callable, List, Optional, TypeVar, Union

from purecap.wire.builder import ListBuilder, StructBuilder
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import PointerReader, StructReader

__all__ = [
    "NodeReader", "NodeBuilder", "ParameterReader", "ParameterBuilder", "NestedNodeReader",
    "NestedNodeBuilder", "SourceInfoReader", "SourceInfoBuilder", "FieldReader", "FieldBuilder",
    "EnumerantReader", "EnumerantBuilder", "SuperclassReader", "SuperclassBuilder",
    "MethodReader", "MethodBuilder", "TypeReader", "TypeBuilder", "BrandReader", "BrandBuilder",
    "ScopeReader", "ScopeBuilder", "BindingReader", "BindingBuilder", "ValueReader",
    "ValueBuilder", "AnnotationReader", "AnnotationBuilder", "CapnpVersionReader",
    "CapnpVersionBuilder", "CodeGeneratorRequestReader", "CodeGeneratorRequestBuilder",
    "RequestedFileReader", "RequestedFileBuilder", "ImportReader", "ImportBuilder",
]  # fmt: skip

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_INLINE_COMPOSITE = ElementSize.INLINE_COMPOSITE

_R = TypeVar("_R")
_B = TypeVar("_B")


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _text(r: StructReader, index: int) -> Optional[str]:
    """Text pointer ``index``, ``None`` when null."""
    if not r.has_pointer(index):
        return None
    return r.get_text_bytes(index).decode("utf-8", "surrogateescape")


def _encode(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _struct(r: StructReader, index: int) -> Optional[StructReader]:
    """Struct pointer ``index``, ``None`` when null."""
    if not r.has_pointer(index):
        return None
    return r.get_struct(index)


def _structs(
    r: StructReader, index: int, wrap: Callable[[StructReader], _R]
) -> Optional[List[_R]]:
    """Struct-list pointer ``index`` with each element wrapped, ``None`` when null."""
    if not r.has_pointer(index):
        return None
    items = r.get_list(index, _INLINE_COMPOSITE)
    return [wrap(items.get_struct(i)) for i in range(len(items))]


def _init_structs(
    b: StructBuilder,
    index: int,
    count: int,
    data_words: int,
    pointer_count: int,
    wrap: Callable[[StructBuilder], _B],
) -> List[_B]:
    items: ListBuilder = b.init_struct_list(index, count, data_words, pointer_count)
    return [wrap(items.get_struct(i)) for i in range(count)]


class _Reader:
    __slots__ = ("r",)

    def __init__(self, r: StructReader) -> None:
        self.r = r


class _Builder:
    __slots__ = ("b",)

    def __init__(self, b: StructBuilder) -> None:
        self.b = b


# ---------------------------------------------------------------------------------------------
# Node (40 bytes, 6 pointers) and its nested structs


class NodeReader(_Reader):
    DATA_WORDS = 5
    POINTERS = 6
    # Union discriminant: tag bits [96, 112).
    FILE, STRUCT, ENUM, INTERFACE, CONST, ANNOTATION = range(6)

    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    def display_name(self) -> Optional[str]:
        return _text(self.r, 0)

    @property
    def display_name_prefix_length(self) -> int:
        return int(self.r.get_primitive(_U32, 8))

    @property
    def scope_id(self) -> int:
        return int(self.r.get_primitive(_U64, 16))

    def parameters(self) -> Optional[List[ParameterReader]]:
        return _structs(self.r, 5, ParameterReader)

    @property
    def is_generic(self) -> bool:
        return self.r.get_bool(288)

    def nested_nodes(self) -> Optional[List[NestedNodeReader]]:
        return _structs(self.r, 1, NestedNodeReader)

    def annotations(self) -> Optional[List[AnnotationReader]]:
        return _structs(self.r, 2, AnnotationReader)

    @property
    def which(self) -> int:
        return int(self.r.get_primitive(_U16, 12))

    # struct group
    @property
    def struct_data_word_count(self) -> int:
        return int(self.r.get_primitive(_U16, 14))

    @property
    def struct_pointer_count(self) -> int:
        return int(self.r.get_primitive(_U16, 24))

    @property
    def struct_preferred_list_encoding(self) -> int:
        return int(self.r.get_primitive(_U16, 26))

    @property
    def struct_is_group(self) -> bool:
        return self.r.get_bool(224)

    @property
    def struct_discriminant_count(self) -> int:
        return int(self.r.get_primitive(_U16, 30))

    @property
    def struct_discriminant_offset(self) -> int:
        return int(self.r.get_primitive(_U32, 32))

    def struct_fields(self) -> Optional[List[FieldReader]]:
        return _structs(self.r, 3, FieldReader)

    # enum group
    def enum_enumerants(self) -> Optional[List[EnumerantReader]]:
        return _structs(self.r, 3, EnumerantReader)

    # interface group
    def interface_methods(self) -> Optional[List[MethodReader]]:
        return _structs(self.r, 3, MethodReader)

    def interface_superclasses(self) -> Optional[List[SuperclassReader]]:
        return _structs(self.r, 4, SuperclassReader)

    # const group
    def const_type(self) -> Optional[TypeReader]:
        s = _struct(self.r, 3)
        return None if s is None else TypeReader(s)

    def const_value(self) -> Optional[ValueReader]:
        s = _struct(self.r, 4)
        return None if s is None else ValueReader(s)

    # annotation group: type at ptr[3] like const's; targets* at bits 112..123 in ordinal order
    def annotation_type(self) -> Optional[TypeReader]:
        return self.const_type()

    def annotation_target(self, index: int) -> bool:
        """``targets*`` flag number ``index`` (0 = targetsFile ... 11 = targetsAnnotation)."""
        return self.r.get_bool(112 + index)


class NodeBuilder(_Builder):
    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def set_display_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def set_display_name_prefix_length(self, value: int) -> None:
        self.b.set_primitive(_U32, 8, value)

    def set_scope_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 16, value)

    def init_parameters(self, count: int) -> List[ParameterBuilder]:
        return _init_structs(self.b, 5, count, 0, 1, ParameterBuilder)

    def set_is_generic(self, value: bool) -> None:
        self.b.set_bool(288, value)

    def init_nested_nodes(self, count: int) -> List[NestedNodeBuilder]:
        return _init_structs(self.b, 1, count, 1, 1, NestedNodeBuilder)

    def init_annotations(self, count: int) -> List[AnnotationBuilder]:
        return _init_structs(self.b, 2, count, 1, 2, AnnotationBuilder)

    def set_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 12, value)

    def set_struct_data_word_count(self, value: int) -> None:
        self.b.set_primitive(_U16, 14, value)

    def set_struct_pointer_count(self, value: int) -> None:
        self.b.set_primitive(_U16, 24, value)

    def set_struct_preferred_list_encoding(self, value: int) -> None:
        self.b.set_primitive(_U16, 26, value)

    def set_struct_is_group(self, value: bool) -> None:
        self.b.set_bool(224, value)

    def set_struct_discriminant_count(self, value: int) -> None:
        self.b.set_primitive(_U16, 30, value)

    def set_struct_discriminant_offset(self, value: int) -> None:
        self.b.set_primitive(_U32, 32, value)

    def init_struct_fields(self, count: int) -> List[FieldBuilder]:
        return _init_structs(self.b, 3, count, 3, 4, FieldBuilder)

    def init_enum_enumerants(self, count: int) -> List[EnumerantBuilder]:
        return _init_structs(self.b, 3, count, 1, 2, EnumerantBuilder)

    def init_interface_methods(self, count: int) -> List[MethodBuilder]:
        return _init_structs(self.b, 3, count, 3, 5, MethodBuilder)

    def init_interface_superclasses(self, count: int) -> List[SuperclassBuilder]:
        return _init_structs(self.b, 4, count, 1, 1, SuperclassBuilder)

    def init_const_type(self) -> TypeBuilder:
        return TypeBuilder(self.b.init_struct(3, 3, 1))

    def init_const_value(self) -> ValueBuilder:
        return ValueBuilder(self.b.init_struct(4, 2, 1))

    def init_annotation_type(self) -> TypeBuilder:
        return self.init_const_type()

    def set_annotation_target(self, index: int, value: bool) -> None:
        self.b.set_bool(112 + index, value)


class ParameterReader(_Reader):
    def name(self) -> Optional[str]:
        return _text(self.r, 0)


class ParameterBuilder(_Builder):
    def set_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))


class NestedNodeReader(_Reader):
    def name(self) -> Optional[str]:
        return _text(self.r, 0)

    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))


class NestedNodeBuilder(_Builder):
    def set_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)


class SourceInfoReader(_Reader):
    """``Node.SourceInfo`` (8 bytes, 2 pointers); its ``Member`` is a bare doc comment."""

    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    def doc_comment(self) -> Optional[str]:
        return _text(self.r, 0)

    def member_doc_comments(self) -> Optional[List[Optional[str]]]:
        return _structs(self.r, 1, lambda m: _text(m, 0))


class SourceInfoBuilder(_Builder):
    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def set_doc_comment(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def init_members(self, count: int) -> List[StructBuilder]:
        """The members; set a doc comment with :meth:`set_member_doc_comment`."""
        return _init_structs(self.b, 1, count, 0, 1, lambda m: m)

    @staticmethod
    def set_member_doc_comment(member: StructBuilder, value: str) -> None:
        member.set_text(0, _encode(value))


# ---------------------------------------------------------------------------------------------
# Field (24 bytes, 4 pointers), Enumerant, Superclass, Method


class FieldReader(_Reader):
    SLOT, GROUP = 0, 1  # union tag bits [64, 80)
    IMPLICIT, EXPLICIT = 0, 1  # ordinal union tag bits [80, 96)

    def name(self) -> Optional[str]:
        return _text(self.r, 0)

    @property
    def code_order(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    def annotations(self) -> Optional[List[AnnotationReader]]:
        return _structs(self.r, 1, AnnotationReader)

    @property
    def discriminant_value(self) -> int:
        # Default 0xffff (Field.noDiscriminant), so the wire holds the value XOR 0xffff.
        return int(self.r.get_primitive(_U16, 2)) ^ 0xFFFF

    @property
    def which(self) -> int:
        return int(self.r.get_primitive(_U16, 8))

    @property
    def slot_offset(self) -> int:
        return int(self.r.get_primitive(_U32, 4))

    def slot_type(self) -> Optional[TypeReader]:
        s = _struct(self.r, 2)
        return None if s is None else TypeReader(s)

    def slot_default_value(self) -> Optional[ValueReader]:
        s = _struct(self.r, 3)
        return None if s is None else ValueReader(s)

    @property
    def slot_had_explicit_default(self) -> bool:
        return self.r.get_bool(128)

    @property
    def group_type_id(self) -> int:
        return int(self.r.get_primitive(_U64, 16))

    @property
    def ordinal_which(self) -> int:
        return int(self.r.get_primitive(_U16, 10))

    @property
    def ordinal_explicit(self) -> int:
        return int(self.r.get_primitive(_U16, 12))


class FieldBuilder(_Builder):
    def set_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def set_code_order(self, value: int) -> None:
        self.b.set_primitive(_U16, 0, value)

    def init_annotations(self, count: int) -> List[AnnotationBuilder]:
        return _init_structs(self.b, 1, count, 1, 2, AnnotationBuilder)

    def set_discriminant_value(self, value: int) -> None:
        self.b.set_primitive(_U16, 2, value ^ 0xFFFF)

    def set_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 8, value)

    def set_slot_offset(self, value: int) -> None:
        self.b.set_primitive(_U32, 4, value)

    def init_slot_type(self) -> TypeBuilder:
        return TypeBuilder(self.b.init_struct(2, 3, 1))

    def init_slot_default_value(self) -> ValueBuilder:
        return ValueBuilder(self.b.init_struct(3, 2, 1))

    def set_slot_had_explicit_default(self, value: bool) -> None:
        self.b.set_bool(128, value)

    def set_group_type_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 16, value)

    def set_ordinal_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 10, value)

    def set_ordinal_explicit(self, value: int) -> None:
        self.b.set_primitive(_U16, 12, value)


class EnumerantReader(_Reader):
    def name(self) -> Optional[str]:
        return _text(self.r, 0)

    @property
    def code_order(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    def annotations(self) -> Optional[List[AnnotationReader]]:
        return _structs(self.r, 1, AnnotationReader)


class EnumerantBuilder(_Builder):
    def set_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def set_code_order(self, value: int) -> None:
        self.b.set_primitive(_U16, 0, value)

    def init_annotations(self, count: int) -> List[AnnotationBuilder]:
        return _init_structs(self.b, 1, count, 1, 2, AnnotationBuilder)


class SuperclassReader(_Reader):
    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    def brand(self) -> Optional[BrandReader]:
        s = _struct(self.r, 0)
        return None if s is None else BrandReader(s)


class SuperclassBuilder(_Builder):
    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def init_brand(self) -> BrandBuilder:
        return BrandBuilder(self.b.init_struct(0, 0, 1))


class MethodReader(_Reader):
    def name(self) -> Optional[str]:
        return _text(self.r, 0)

    @property
    def code_order(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    def implicit_parameters(self) -> Optional[List[ParameterReader]]:
        return _structs(self.r, 4, ParameterReader)

    @property
    def param_struct_type(self) -> int:
        return int(self.r.get_primitive(_U64, 8))

    def param_brand(self) -> Optional[BrandReader]:
        s = _struct(self.r, 2)
        return None if s is None else BrandReader(s)

    @property
    def result_struct_type(self) -> int:
        return int(self.r.get_primitive(_U64, 16))

    def result_brand(self) -> Optional[BrandReader]:
        s = _struct(self.r, 3)
        return None if s is None else BrandReader(s)

    def annotations(self) -> Optional[List[AnnotationReader]]:
        return _structs(self.r, 1, AnnotationReader)


class MethodBuilder(_Builder):
    def set_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def set_code_order(self, value: int) -> None:
        self.b.set_primitive(_U16, 0, value)

    def init_implicit_parameters(self, count: int) -> List[ParameterBuilder]:
        return _init_structs(self.b, 4, count, 0, 1, ParameterBuilder)

    def set_param_struct_type(self, value: int) -> None:
        self.b.set_primitive(_U64, 8, value)

    def init_param_brand(self) -> BrandBuilder:
        return BrandBuilder(self.b.init_struct(2, 0, 1))

    def set_result_struct_type(self, value: int) -> None:
        self.b.set_primitive(_U64, 16, value)

    def init_result_brand(self) -> BrandBuilder:
        return BrandBuilder(self.b.init_struct(3, 0, 1))

    def init_annotations(self, count: int) -> List[AnnotationBuilder]:
        return _init_structs(self.b, 1, count, 1, 2, AnnotationBuilder)


# ---------------------------------------------------------------------------------------------
# Type (24 bytes, 1 pointer), Brand, Value, Annotation


class TypeReader(_Reader):
    """``Type``: union tag bits [0, 16) with the members in ordinal order (void = 0 ...
    anyPointer = 18). anyPointer's union: tag bits [64, 80); unconstrained's: [80, 96)."""

    LIST, ENUM, STRUCT, INTERFACE, ANY_POINTER = 14, 15, 16, 17, 18
    UNCONSTRAINED, PARAMETER, IMPLICIT_METHOD_PARAMETER = 0, 1, 2

    @property
    def which(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    def list_element_type(self) -> Optional[TypeReader]:
        s = _struct(self.r, 0)
        return None if s is None else TypeReader(s)

    @property
    def type_id(self) -> int:
        """``enum.typeId``, ``struct.typeId`` or ``interface.typeId`` (all at bits [64, 128))."""
        return int(self.r.get_primitive(_U64, 8))

    def brand(self) -> Optional[BrandReader]:
        """The brand of enum, struct or interface (all at ptr[0])."""
        s = _struct(self.r, 0)
        return None if s is None else BrandReader(s)

    @property
    def any_pointer_which(self) -> int:
        return int(self.r.get_primitive(_U16, 8))

    @property
    def unconstrained_which(self) -> int:
        return int(self.r.get_primitive(_U16, 10))

    @property
    def parameter_scope_id(self) -> int:
        return int(self.r.get_primitive(_U64, 16))

    @property
    def parameter_index(self) -> int:
        """``parameter.parameterIndex`` or ``implicitMethodParameter.parameterIndex``."""
        return int(self.r.get_primitive(_U16, 10))


class TypeBuilder(_Builder):
    def set_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 0, value)

    def init_list_element_type(self) -> TypeBuilder:
        return TypeBuilder(self.b.init_struct(0, 3, 1))

    def set_type_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 8, value)

    def init_brand(self) -> BrandBuilder:
        return BrandBuilder(self.b.init_struct(0, 0, 1))

    def set_any_pointer_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 8, value)

    def set_unconstrained_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 10, value)

    def set_parameter_scope_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 16, value)

    def set_parameter_index(self, value: int) -> None:
        self.b.set_primitive(_U16, 10, value)


class BrandReader(_Reader):
    def scopes(self) -> Optional[List[ScopeReader]]:
        return _structs(self.r, 0, ScopeReader)


class BrandBuilder(_Builder):
    def init_scopes(self, count: int) -> List[ScopeBuilder]:
        return _init_structs(self.b, 0, count, 2, 1, ScopeBuilder)


class ScopeReader(_Reader):
    """``Brand.Scope`` (16 bytes, 1 pointer): union tag bits [64, 80)."""

    BIND, INHERIT = 0, 1

    @property
    def scope_id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    @property
    def which(self) -> int:
        return int(self.r.get_primitive(_U16, 8))

    def bind(self) -> Optional[List[BindingReader]]:
        return _structs(self.r, 0, BindingReader)


class ScopeBuilder(_Builder):
    def set_scope_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def set_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 8, value)

    def init_bind(self, count: int) -> List[BindingBuilder]:
        return _init_structs(self.b, 0, count, 1, 1, BindingBuilder)


class BindingReader(_Reader):
    """``Brand.Binding`` (8 bytes, 1 pointer): union tag bits [0, 16)."""

    UNBOUND, TYPE = 0, 1

    @property
    def which(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    def type(self) -> Optional[TypeReader]:
        s = _struct(self.r, 0)
        return None if s is None else TypeReader(s)


class BindingBuilder(_Builder):
    def set_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 0, value)

    def init_type(self) -> TypeBuilder:
        return TypeBuilder(self.b.init_struct(0, 3, 1))


class ValueReader(_Reader):
    """``Value`` (16 bytes, 1 pointer): union tag bits [0, 16), same member order as ``Type``.

    Scalars sit at the first free slot of their size after the tag: 1/8/16-bit values at bit 16,
    32-bit values at bit 32, 64-bit values at bit 64; every pointer member is ptr[0].
    """

    #: struct format and byte offset of each scalar member, by discriminant.
    SCALARS = {
        2: (struct.Struct("<b"), 2),
        3: (struct.Struct("<h"), 2),
        4: (struct.Struct("<i"), 4),
        5: (struct.Struct("<q"), 8),
        6: (_U8, 2),
        7: (_U16, 2),
        8: (_U32, 4),
        9: (_U64, 8),
        10: (struct.Struct("<f"), 4),
        11: (struct.Struct("<d"), 8),
        15: (_U16, 2),
    }
    BOOL_BIT = 16

    @property
    def which(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    def get_bool(self) -> bool:
        return self.r.get_bool(16)

    def get_scalar(self, which: int) -> Union[int, float]:
        fmt, offset = self.SCALARS[which]
        value: Union[int, float] = self.r.get_primitive(fmt, offset)
        return value

    def text(self) -> Optional[str]:
        return _text(self.r, 0)

    def data(self) -> Optional[bytes]:
        if not self.r.has_pointer(0):
            return None
        return self.r.get_data(0)

    def pointer(self) -> PointerReader:
        """ptr[0] as an untyped pointer (list, struct and anyPointer members)."""
        return self.r.get_pointer(0)


class ValueBuilder(_Builder):
    def set_which(self, value: int) -> None:
        self.b.set_primitive(_U16, 0, value)

    def set_bool(self, value: bool) -> None:
        self.b.set_bool(16, value)

    def set_scalar(self, which: int, value: Union[int, float]) -> None:
        fmt, offset = ValueReader.SCALARS[which]
        self.b.set_primitive(fmt, offset, value)

    def set_text(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def set_data(self, value: bytes) -> None:
        self.b.set_data(0, value)

    def set_pointer(self, value: PointerReader) -> None:
        self.b.get_pointer(0).set(value)


class AnnotationReader(_Reader):
    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    def brand(self) -> Optional[BrandReader]:
        s = _struct(self.r, 1)
        return None if s is None else BrandReader(s)

    def value(self) -> Optional[ValueReader]:
        s = _struct(self.r, 0)
        return None if s is None else ValueReader(s)


class AnnotationBuilder(_Builder):
    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def init_brand(self) -> BrandBuilder:
        return BrandBuilder(self.b.init_struct(1, 0, 1))

    def init_value(self) -> ValueBuilder:
        return ValueBuilder(self.b.init_struct(0, 2, 1))


# ---------------------------------------------------------------------------------------------
# CodeGeneratorRequest (0 bytes, 4 pointers) and friends


class CapnpVersionReader(_Reader):
    @property
    def major(self) -> int:
        return int(self.r.get_primitive(_U16, 0))

    @property
    def minor(self) -> int:
        return int(self.r.get_primitive(_U8, 2))

    @property
    def micro(self) -> int:
        return int(self.r.get_primitive(_U8, 3))


class CapnpVersionBuilder(_Builder):
    def set(self, major: int, minor: int, micro: int) -> None:
        self.b.set_primitive(_U16, 0, major)
        self.b.set_primitive(_U8, 2, minor)
        self.b.set_primitive(_U8, 3, micro)


class CodeGeneratorRequestReader(_Reader):
    DATA_WORDS = 0
    POINTERS = 4

    def capnp_version(self) -> Optional[CapnpVersionReader]:
        s = _struct(self.r, 2)
        return None if s is None else CapnpVersionReader(s)

    def nodes(self) -> Optional[List[NodeReader]]:
        return _structs(self.r, 0, NodeReader)

    def source_info(self) -> Optional[List[SourceInfoReader]]:
        return _structs(self.r, 3, SourceInfoReader)

    def requested_files(self) -> Optional[List[RequestedFileReader]]:
        return _structs(self.r, 1, RequestedFileReader)


class CodeGeneratorRequestBuilder(_Builder):
    def init_capnp_version(self) -> CapnpVersionBuilder:
        return CapnpVersionBuilder(self.b.init_struct(2, 1, 0))

    def init_nodes(self, count: int) -> ListBuilder:
        """The node list itself: each element is a struct of 5 data words and 6 pointers."""
        return self.b.init_struct_list(0, count, NodeReader.DATA_WORDS, NodeReader.POINTERS)

    def init_source_info(self, count: int) -> List[SourceInfoBuilder]:
        return _init_structs(self.b, 3, count, 1, 2, SourceInfoBuilder)

    def init_requested_files(self, count: int) -> List[RequestedFileBuilder]:
        return _init_structs(self.b, 1, count, 1, 2, RequestedFileBuilder)


class RequestedFileReader(_Reader):
    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    def filename(self) -> Optional[str]:
        return _text(self.r, 0)

    def imports(self) -> Optional[List[ImportReader]]:
        return _structs(self.r, 1, ImportReader)


class RequestedFileBuilder(_Builder):
    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def set_filename(self, value: str) -> None:
        self.b.set_text(0, _encode(value))

    def init_imports(self, count: int) -> List[ImportBuilder]:
        return _init_structs(self.b, 1, count, 1, 1, ImportBuilder)


class ImportReader(_Reader):
    @property
    def id(self) -> int:
        return int(self.r.get_primitive(_U64, 0))

    def name(self) -> Optional[str]:
        return _text(self.r, 0)


class ImportBuilder(_Builder):
    def set_id(self, value: int) -> None:
        self.b.set_primitive(_U64, 0, value)

    def set_name(self, value: str) -> None:
        self.b.set_text(0, _encode(value))
