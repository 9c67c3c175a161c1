"""Generated code carries its schema: ``Person.schema`` (fields, enumerants, methods and their
annotations, the node, the dynamic type), ``str()`` in the text format, ``to_dict()``,
``to_json()``, pickling, and none of it costing an import that does not use it.

Annotations are checked on the reference's test.capnp (its ``TestNameAnnotation`` family, the
generic ``$TestGenerics(Text, Data).ann``) and on ``schemas/annotated.capnp``, whose module is
generated here when the tests run (with shapes.capnp's, which it imports).
"""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

import purecap
from purecap.codegen import generate, reflection
from purecap.codegen.runtime import Unpicklable
from purecap.dynamic import text_format
from purecap.schema.compiler import compile_files
from tests.codegen.example_addressbook import write_address_book
from tests.codegen.generated import addressbook_capnp as ab
from tests.codegen.generated import features_capnp as f
from tests.codegen.generated import schema_capnp, test_capnp
from tests.codegen.regenerate import ROOT

SCHEMAS = Path(ROOT) / "tests" / "codegen" / "schemas"
TESTDATA = Path(ROOT) / "tests" / "schema" / "data" / "capnp" / "testdata"
CXX_NAME_ID = 0xF264A779FEF191CE  # c++.capnp's `name` annotation
PACKAGE = "purecap_reflection_test"


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """annotated.capnp's generated module (and shapes.capnp's), imported from a temporary
    package."""
    request = compile_files(
        [str(SCHEMAS / "annotated.capnp"), str(SCHEMAS / "shapes.capnp")],
        import_paths=[str(SCHEMAS), f"{ROOT}/tests/schema/data"],
        standard_import=False,
        src_prefixes=[str(SCHEMAS)],
    )
    root = tmp_path_factory.mktemp("reflection")
    package = root / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, source in generate(request).items():
        (package / name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        module = __import__(f"{PACKAGE}.annotated_capnp", fromlist=["_"])
        yield module
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _book() -> ab.AddressBook.Reader:
    return ab.AddressBook.from_bytes_packed(write_address_book())


# -- schema objects ------------------------------------------------------------------------------


def test_struct_schema() -> None:
    s = ab.Person.schema
    assert s is ab.Person.schema  # made once
    assert isinstance(s, reflection.StructSchema)
    assert s.node.id == s.id == ab.Person.type_id and s.get_proto() is s.node
    assert (s.name, s.display_name) == ("Person", "addressbook.capnp:Person")
    assert s.fieldnames == ("id", "name", "email", "phones", "employment")
    assert s.non_union_fields == s.fieldnames and s.union_fields == ()
    assert (s.data_words, s.pointer_count, s.is_group) == (1, 4, False)
    phones = s.fields["phones"]
    assert phones is s.field("phones") and phones.index == 3 and phones.ordinal == 3
    assert phones.type_name == "List(Person.PhoneNumber)" and phones.type.kind == "list"
    assert phones.proto.name == "phones" and phones.info.pointer == 2
    number_type = ab.Person.PhoneNumber.schema.field("type_")  # by its Python name
    assert (number_type.name, number_type.python_name) == ("type", "type_")
    employment = s.fields["employment"]
    assert employment.is_group and employment.ordinal is None and employment.default is None
    assert employment.group is ab.Person.Employment.schema
    group = ab.Person.Employment.schema
    assert group.is_group and group.union_fields == (
        "unemployed", "employer", "school", "selfEmployed",
    )  # fmt: skip
    assert [f.discriminant for f in group.fields_list] == [0, 1, 2, 3]
    assert group.field("self_employed").name == "selfEmployed"
    with pytest.raises(KeyError, match="no field"):
        s.field("nope")
    assert repr(s) == "<struct schema Person>"


def test_enum_and_interface_schemas() -> None:
    t = ab.Person.PhoneNumber.Type
    assert t.type_id == 0x91E0BD04D585062F and t.schema.id == t.type_id
    assert list(t.schema.enumerants) == ["mobile", "home", "work"]
    work = t.schema.enumerants["work"]
    assert (work.value, work.python_name, work.code_order) == (2, "WORK", 2)
    assert t.schema.enumerant(2) is work is t.schema.enumerant(t.WORK)
    assert t.schema.enumerant("WORK") is work
    with pytest.raises(KeyError):
        t.schema.enumerant(3)
    assert t.schema.dynamic.work == "work"  # the dynamic API's enum class
    greeter = f.Greeter.schema
    assert isinstance(greeter, reflection.InterfaceSchema)
    assert greeter.method_names == tuple(greeter.methods)
    method = next(iter(greeter.methods.values()))
    assert method.ordinal == 0 and method.params.node.id == method.proto.param_struct_type
    assert method.dynamic.name == method.name
    assert greeter.dynamic.node.id == f.Greeter.type_id


def test_which_enums_have_no_schema() -> None:
    assert not hasattr(ab.Person.Employment.Which, "schema")
    with pytest.raises(reflection.NoSchema, match="stands for no schema node"):
        reflection.schema_of(ab.Person.Employment.Which)


def test_dynamic_type_of_a_generated_struct() -> None:
    dynamic = ab.Person.schema.dynamic
    built = dynamic.new_message(name="Carol", id=9)
    reader = ab.Person.from_bytes(built.to_bytes())
    assert (reader.name, reader.id) == ("Carol", 9)
    again = dynamic.from_bytes(reader.to_bytes())
    assert again.name == "Carol"


def test_types_from_imported_modules() -> None:
    shape = f.Anys.schema.fields["shape"]
    st = shape.type.struct
    assert st is not None and st.node.display_name == "shapes.capnp:Polygon"
    builder = f.Anys.new_message()
    builder.init_shape().corners = 5
    assert str(builder) == "(shape = (corners = 5))"


# -- annotations ---------------------------------------------------------------------------------


def test_annotations_of_test_capnp() -> None:
    a = test_capnp.TestNameAnnotation
    assert dict(a.schema.annotations) == {"name": "RenamedStruct"}
    entry = a.schema.annotations.entry("name")
    assert entry.id == CXX_NAME_ID and entry.display_name == "c++.capnp:name"
    assert entry.node is not None and entry.proto.id == CXX_NAME_ID
    assert a.schema.annotations[CXX_NAME_ID] == "RenamedStruct"
    assert a.schema.fields["badFieldName"].annotations["name"] == "goodFieldName"
    assert a.BadlyNamedEnum.schema.annotations["name"] == "RenamedEnum"
    assert a.BadlyNamedEnum.schema.enumerants["baz"].annotations["name"] == "qux"
    assert len(a.BadlyNamedEnum.schema.enumerants["foo"].annotations) == 0
    nested = a.NestedStruct
    assert nested.schema.annotations["name"] == "RenamedNestedStruct"
    assert nested.DeeplyNestedEnum.schema.enumerant("grault").annotations["name"] == "garply"
    union = a.schema.fields["badlyNamedUnion"]
    assert union.annotations["name"] == "renamedUnion"
    assert union.group is not None
    assert union.group.fields["badlyNamedGroup"].annotations["name"] == "renamedGroup"
    assert union.group.fields["baz"].annotations["name"] == "qux"
    interface = test_capnp.TestNameAnnotationInterface.schema
    assert interface.annotations["name"] == "RenamedInterface"
    method = interface.methods["badlyNamedMethod"]
    assert method.annotations["name"] == "renamedMethod"
    assert method.params.fields["badlyNamedParam"].annotations["name"] == "renamedParam"
    # A generic annotation: its value's type is the scope's parameter, bound by the brand.
    generic = test_capnp.TestUseGenerics.schema.annotations
    assert generic["ann"] == generic["TestGenerics.ann"] == "foo"
    assert generic.entry("ann").display_name == "test.capnp:TestGenerics.ann"
    # File annotations; schema.capnp's $Cxx.namespace without a c++ module to import.
    assert reflection.file_schema(test_capnp).annotations["namespace"] == (
        "capnproto_test::capnp::test"
    )
    assert reflection.file_schema(schema_capnp).annotations["namespace"] == "capnp::schema"


def test_annotation_values_of_every_kind(annotated: Any) -> None:
    gadget = annotated.Gadget.schema
    a = gadget.annotations
    # Two annotations named `name` (this file's and C++'s): keyed by display name.
    assert list(a) == [
        "annotated.capnp:name", "c++.capnp:name", "tag", "limits", "codes", "outline",
    ]  # fmt: skip
    assert a["annotated.capnp:name"] == "gadget" and a["c++.capnp:name"] == "CxxGadget"
    assert a[CXX_NAME_ID] == "CxxGadget" and "name" not in a
    with pytest.raises(KeyError, match="several annotations"):
        a["name"]
    assert "tag" in a and a["tag"] is None  # Void
    limits = a["limits"]  # a struct: a dynamic reader, defaults included
    assert (limits.min, limits.max) == (-1, 10)
    assert list(a["codes"]) == [1, 2, 3]
    outline = a["outline"]  # a struct of the imported shapes.capnp
    assert (outline.corners, outline.name) == (3, "triangle")
    assert a.entry("outline").qualified_name == "outline"
    assert repr(a).startswith("Annotations({'annotated.capnp:name': 'gadget', ")

    fields = gadget.fields
    assert fields["id"].annotations["weight"] == 0.5
    level = fields["id"].annotations["level"]
    assert level == "high" and level == 1  # an enumerant of the dynamic API
    assert fields["id"].annotations["blob"] == b"\x01\x02"
    assert dict(fields["label"].annotations) == {"name": "title", "note": "shown to users"}
    assert fields["label"].default == "none"
    assert len(fields["plain"].annotations) == 0
    assert fields["kind"].annotations["name"] == "kinds"
    kind = annotated.Gadget.Kind.schema
    assert kind is fields["kind"].group
    assert kind.fields["small"].annotations["tag"] is None
    assert kind.fields["big"].annotations["name"] == "large"

    high = annotated.Level.schema.enumerant(annotated.Level.HIGH)
    assert dict(high.annotations) == {"annotated.capnp:name": "HIGH", "c++.capnp:name": "kHigh"}

    service = annotated.Service.schema
    assert service.annotations["name"] == "svc"
    call = service.methods["call"]
    assert dict(call.annotations) == {"tag": None}
    assert call.params.fields["gadget"].annotations["name"] == "g"
    assert call.results.fieldnames == ("ok",)

    file = reflection.file_schema(annotated)
    assert dict(file.annotations) == {"namespace": "purecap::test", "note": "the file"}
    assert file.nested["defaultGadget"].annotations["level"] == "low"
    assert file.nested["meta"].annotations["note"] == "annotations are annotated too"


def test_embedded_nodes(annotated: Any) -> None:
    # A module carries its own file's nodes; the c++.capnp annotations it uses (no module of
    # theirs is imported); not shapes.capnp's, which come from shapes_capnp.
    own = reflection._loaded(annotated._SCHEMA).nodes
    names = {n.display_name for n in own.values()}
    assert "annotated.capnp" in names and "annotated.capnp:Gadget" in names
    assert "c++.capnp:name" in names and "c++.capnp:namespace" in names
    assert not any(name.startswith("shapes.capnp") for name in names)
    assert annotated._SCHEMA.imports == (annotated._shapes_capnp,)
    # Display names are relative to the file's directory (the request's were capnp/...).
    nodes = reflection._loaded(schema_capnp._SCHEMA).nodes
    assert nodes[schema_capnp.Node.type_id].display_name == "schema.capnp:Node"


# -- text, dicts, JSON ---------------------------------------------------------------------------


def test_str_is_the_text_format() -> None:
    book = _book()
    dynamic = purecap.load(SCHEMAS / "addressbook.capnp").AddressBook.from_bytes(book.to_bytes())
    assert str(book) == str(dynamic)  # the dynamic API compiled anew, not our embedded nodes
    assert str(book).startswith('( people = [\n    ( id = 123,\n      name = "Alice",')
    alice = book.people[0]
    assert str(alice) == str(dynamic.people[0])
    assert str(alice.employment) == '(school = "MIT")'  # a group
    builder = book.as_builder()
    assert str(builder) == str(book)
    assert str(builder.people[1].phones[0]) == '(number = "555-4567", type = home)'
    assert repr(alice).startswith("<Person_Reader segment 0")  # unchanged


def test_str_of_test_capnp_testdata_is_capnps() -> None:
    reader = test_capnp.TestAllTypes.from_bytes((TESTDATA / "binary").read_bytes())
    short = text_format(reflection.dynamic_view(reader))
    assert short == (TESTDATA / "short.txt").read_text("utf-8").strip()
    # Pretty printing only adds whitespace (and the testdata's strings have none).
    assert "".join(str(reader).split()) == "".join(short.split())
    assert str(reader.as_builder()) == str(reader)


def test_to_dict_and_to_json() -> None:
    alice = _book().people[0]
    assert alice.to_dict() == {
        "id": 123,
        "name": "Alice",
        "email": "alice@example.com",
        "phones": [{"number": "555-1212", "type": "mobile"}],
        "employment": {"school": "MIT"},
    }
    assert alice.phones[0].to_dict(verbose=True) == {"number": "555-1212", "type": "mobile"}
    assert alice.employment.to_dict() == {"school": "MIT"}
    builder = ab.Person.new_message()
    builder.name = "Dan"
    assert builder.to_dict() == {"id": 0, "name": "Dan", "employment": {"unemployed": None}}
    assert builder.to_json(pretty=False) == (
        '{"id":0,"name":"Dan","employment":{"unemployed":null}}'
    )
    assert alice.to_json().startswith('{ "id": 123,\n  "name": "Alice",')


def test_members_named_like_the_reflection_methods_are_renamed() -> None:
    from purecap.codegen.emitter import _MEMBER_RESERVED

    assert {"to_dict", "to_json"} <= _MEMBER_RESERVED


# -- pickling ------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_readers_pickle(protocol: int) -> None:
    book = _book()
    again = pickle.loads(pickle.dumps(book, protocol))
    assert type(again) is ab.AddressBook_Reader
    assert again.to_bytes() == book.to_bytes() and str(again) == str(book)
    bob = pickle.loads(pickle.dumps(book.people[1], protocol))  # a nested reader: its copy
    assert type(bob) is ab.Person_Reader and str(bob) == str(book.people[1])
    group = pickle.loads(pickle.dumps(book.people[0].employment, protocol))
    assert type(group) is ab.Person_Employment_Reader and group.school == "MIT"


def test_builders_pickle() -> None:
    builder = _book().as_builder()
    again = pickle.loads(pickle.dumps(builder))
    assert type(again) is ab.AddressBook_Builder and str(again) == str(builder)
    again.people[0].name = "Alicia"  # a builder of its own message
    assert builder.people[0].name == "Alice"
    phone = builder.people[1].phones[1]  # not the root: pickled as a copy
    copied = pickle.loads(pickle.dumps(phone))
    assert type(copied) is ab.Person_PhoneNumber_Builder and copied.number == "555-7654"
    copied.number = "0"
    assert phone.number == "555-7654"
    group = pickle.loads(pickle.dumps(builder.people[1].employment))
    assert type(group) is ab.Person_Employment_Builder
    assert group.which() == ab.Person.Employment.Which.UNEMPLOYED
    deep = copy.deepcopy(builder)  # deepcopy goes through pickling: a copy
    deep.people[1].name = "Robert"
    assert builder.people[1].name == "Bob"
    assert copy.copy(builder) is builder  # a view: a copy of it would be the same view


def test_generic_structs_pickle_unbound() -> None:
    g = f.Generics.new_message()
    box = g.init_text_box()
    box.set_value("v")
    box.pair.count = 3
    again = pickle.loads(pickle.dumps(box.as_reader()))
    assert type(again) is f.Box_Reader and again.value.get_as_text() == "v"
    pair = pickle.loads(pickle.dumps(box.pair))  # a generic group
    assert pair.count == 3


def test_lists_do_not_pickle() -> None:
    book = _book()
    people = book.people
    with pytest.raises(Unpicklable, match="pickle the struct that holds it"):
        pickle.dumps(people)
    assert copy.copy(people) is people


_UNPICKLE = """
import pickle, sys
value = pickle.loads(sys.stdin.buffer.read())
print(type(value).__qualname__)
print(value)
"""


def test_pickles_load_in_another_process() -> None:
    book = _book()
    out = subprocess.run(
        [sys.executable, "-c", _UNPICKLE], input=pickle.dumps(book.as_builder()),
        capture_output=True, check=True, env=dict(os.environ, PYTHONPATH=ROOT),
    )  # fmt: skip
    assert out.stdout.decode("utf-8") == f"AddressBook_Builder\n{book}\n"


# -- what importing costs ------------------------------------------------------------------------

_LAZY = """
import pickle, sys
from tests.codegen.generated import test_capnp
def loaded():
    prefixes = ("purecap.dynamic", "purecap.schema.compiler", "purecap.codegen.reflection",
                "purecap.formats")
    return sorted(m[len("purecap."):] for m in sys.modules if m.startswith(prefixes))
print(loaded())
message = test_capnp.TestAllTypes.new_message()
message.text_field = "x"
reader = test_capnp.TestAllTypes.from_bytes(message.to_bytes())
assert pickle.loads(pickle.dumps(reader)).text_field == "x"
print(loaded())
str(message)
print(loaded())
"""


def test_reflection_is_imported_on_first_use_only() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _LAZY], capture_output=True, text=True, check=True,
        env=dict(os.environ, PYTHONPATH=ROOT),
    )  # fmt: skip
    before, pickled, after = out.stdout.splitlines()
    assert before == pickled == "[]"  # importing, building, pickling: no schema is read
    assert "dynamic.textformat" in after and "codegen.reflection" in after
    assert "schema.compiler" not in after  # reflection never compiles
