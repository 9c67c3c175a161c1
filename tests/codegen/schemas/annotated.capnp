# Annotations on every kind of declaration, with values of every kind, for test_reflection.py
# (which generates its module, with shapes.capnp's, when it runs; the checked-in copy in
# generated/ is what mypy checks). c++.capnp is imported for its
# annotations only, so the generated module embeds those declarations instead of importing a
# c++ module; Shapes.Polygon is used as a field type and as an annotation's type, so its nodes
# come from shapes_capnp.
@0xc9bc564c408f3ff9;

using Cxx = import "/capnp/c++.capnp";
using Shapes = import "shapes.capnp";

$Cxx.namespace("purecap::test");
$note("the file");

annotation note(*) :Text;
annotation name(struct, field, enum, enumerant, interface, method, param, group, union) :Text;
annotation tag(*) :Void;
annotation weight(field) :Float64;
annotation level(struct, field, const) :Level;
annotation limits(struct, field) :Limits;
annotation codes(*) :List(UInt16);
annotation blob(field) :Data;
annotation outline(struct) :Shapes.Polygon;
annotation meta(annotation) :Text $note("annotations are annotated too");

enum Level {
  low @0;
  high @1 $name("HIGH") $Cxx.name("kHigh");
}

struct Limits {
  min @0 :Int32;
  max @1 :Int32 = 10;
}

struct Gadget $name("gadget") $Cxx.name("CxxGadget") $tag $limits(min = -1)
    $codes([1, 2, 3]) $outline(corners = 3, name = "triangle") {
  id @0 :UInt32 $weight(0.5) $level(high) $blob("\x01\x02");
  label @1 :Text = "none" $name("title") $note("shown to users");
  shape @2 :Shapes.Polygon;
  kind :union $name("kinds") {
    small @3 :Void $tag;
    big :group $name("large") {
      size @4 :UInt64;
    }
  }
  plain @5 :Bool;
}

interface Service $name("svc") {
  call @0 (gadget :Gadget $name("g")) -> (ok :Bool) $tag;
}

const defaultGadget :Gadget = (id = 3, label = "three") $level(low);
