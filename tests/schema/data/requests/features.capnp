# A small schema touching every part of schema.capnp's Node, for the round-trip fixtures of
# tests/schema/test_model_nodes.py.  Compiled with capnp 0.9.2 (see README.md).
@0xc1d2e3f405162738;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("features");

annotation note @0xd3f1a2b3c4d5e6f7 (struct, field, enum, enumerant, interface, method, param,
                                      union, group, const, annotation, file) :Text;
annotation flag (*) :Void;
annotation boxed (field) :Box(Text);

$note("a file annotation");

enum Colour $note("enum") {
  red @0;
  green @1 $note("enumerant");
  blue @2;
}

struct Box(T) {
  # A generic struct.
  value @0 :T;  # the boxed value
  pair @1 :Pair(T, Text);
  struct Pair(A, B) {
    first @0 :A;
    second @1 :B;
    inner @2 :Box(B);
  }
}

struct Everything $note("struct") {
  # Doc comment of a struct.
  b @0 :Bool = true;
  i8 @1 :Int8 = -8;
  i16 @2 :Int16 = -1600;
  i32 @3 :Int32 = -320000;
  i64 @4 :Int64 = -6400000000;
  u8 @5 :UInt8 = 200;
  u16 @6 :UInt16 = 60000;
  u32 @7 :UInt32 = 4000000000;
  u64 @8 :UInt64 = 18000000000000000000;
  f32 @9 :Float32 = nan;
  f64 @10 :Float64 = -inf;
  t @11 :Text = "text\xff";
  d @12 :Data = 0x"00 ff 10";
  c @13 :Colour = blue;
  l @14 :List(Int16) = [1, -2, 3];
  s @15 :Box(Text) = (value = "boxed");
  e @16 :Text;
  ap @17 :AnyPointer;
  as @18 :AnyStruct;
  al @19 :AnyList;
  cap @20 :Capability;
  ll @21 :List(List(Colour)) = [[red], [green, blue]];
  sl @22 :List(Box(Text)) = [(value = "1"), (value = "2")];
  bb @23 :Box(Box(Data)) $boxed(value = "x");

  union {
    u0 @24 :Void $note("union member");
    u1 @25 :UInt32;
    grp :group $note("group") {
      g0 @26 :Int64;
      g1 @27 :Text;
    }
  }
  named :union $note("union") {
    n0 @28 :Void;
    n1 @29 :Float64;
  }
  v @30 :Void;
  raw @31 :Box;  # a generic struct without its parameters
}

interface Base $note("interface") {
  ping @0 () -> ();
}

interface Derived(T) extends(Base) {
  # A generic interface.
  get @0 [U] (key :T $note("param"), hint :U) -> (value :Box(U), list :List(Text)) $note("method");
  put @1 (entry :Box(T).Pair(Data, Text)) -> stream;
  sub @2 () -> (it :Derived(Text));
  wrap @3 [V] Box(V) -> Box(V);
}

interface Leaf extends(Derived(Data), Base) {}

const answer :Int32 = 42 $note("const");
const everything :Everything = (i32 = 7, t = "const text", s = (value = "v"), u1 = 5);
const words :List(Text) = ["a", "bc"];
const pointerish :Box(Text) = (value = "any", pair = (first = "f", inner = (value = "in")));
const boxType :Box(Box(Data)).Pair(Text, Data) = (first = "f", second = 0x"02", inner = (value = 0x"03"));
