# The codegen test schema: every kind of field, default, union, group, list, generic, interface
# and constant the generator handles, and names that clash with Python.
@0xc1f2a3b4d5e6f708;

using Shapes = import "shapes.capnp";

enum Color {
  red @0;
  green @1;
  blue @2;
  darkGoldenRod @3;  # multi-word: DARK_GOLDEN_ROD
}

struct Scalars {
  # Every primitive type, without defaults.
  v @0 :Void;
  b @1 :Bool;
  i8 @2 :Int8;
  i16 @3 :Int16;
  i32 @4 :Int32;
  i64 @5 :Int64;
  u8 @6 :UInt8;
  u16 @7 :UInt16;
  u32 @8 :UInt32;
  u64 @9 :UInt64;
  f32 @10 :Float32;
  f64 @11 :Float64;
  color @12 :Color;
}

struct Defaults {
  # Every primitive type with a non-zero default: stored XORed with it.
  b @0 :Bool = true;
  i8 @1 :Int8 = -123;
  i16 @2 :Int16 = -12345;
  i32 @3 :Int32 = -12345678;
  i64 @4 :Int64 = -123456789012345;
  u8 @5 :UInt8 = 234;
  u16 @6 :UInt16 = 45678;
  u32 @7 :UInt32 = 3456789012;
  u64 @8 :UInt64 = 12345678901234567890;
  f32 @9 :Float32 = 1234.5;
  f64 @10 :Float64 = -1.23e47;
  color @11 :Color = blue;
  nan @12 :Float64 = nan;
  inf @13 :Float32 = inf;
  negZero @14 :Float64 = -0.0;
  text @15 :Text = "défaut \"quoted\"\n";
  data @16 :Data = 0x"00 01 fe ff";
  scalars @17 :Scalars = (i32 = 42, color = green, b = true);
  ints @18 :List(Int32) = [1, -2, 3];
  texts @19 :List(Text) = ["a", "bc"];
  structs @20 :List(Scalars) = [(u8 = 1), (u8 = 2, f64 = 2.5)];
  colors @21 :List(Color) = [blue, red];
  bools @22 :List(Bool) = [true, false, true];
}

struct Lists {
  voids @0 :List(Void);
  bools @1 :List(Bool);
  i8s @2 :List(Int8);
  u16s @3 :List(UInt16);
  i32s @4 :List(Int32);
  u64s @5 :List(UInt64);
  f32s @6 :List(Float32);
  f64s @7 :List(Float64);
  texts @8 :List(Text);
  datas @9 :List(Data);
  structs @10 :List(Scalars);
  colors @11 :List(Color);
  nested @12 :List(List(Int32));
  deep @13 :List(List(List(Text)));
  structLists @14 :List(List(Scalars));
  clients @15 :List(Greeter);
}

struct Shape {
  # An anonymous union, a named union, groups inside unions, nested groups.
  name @0 :Text;
  union {
    circle @1 :Float64;          # radius
    rectangle :group {
      width @2 :Float64;
      height @3 :Float64;
    }
    polygon @4 :List(Point);
    nothing @5 :Void;
  }
  style :union {
    plain @6 :Void;
    filled @7 :Color;
    outlined :group {
      color @8 :Color = green;
      thickness @9 :UInt8 = 1;
      dash :group {
        on @10 :UInt8;
        off @11 :UInt8;
      }
    }
  }
  origin @12 :Point;

  struct Point {
    x @0 :Int32;
    y @1 :Int32;
  }
}

struct Pythonic {
  # Schema names that are Python keywords, builtins or clash with generated members.
  return @0 :Int32;
  class @1 :Text;
  bool @2 :Bool;
  int @3 :Int64;
  which @4 :UInt8;
  toBytes @5 :UInt8;
  foo @6 :Text;
  hasFoo @7 :Bool;
  type @8 :UInt16;
  property @9 :Float32;
  none @10 :Void;
  from @11 :List(Int8);
  struct Reader {
    # A nested type named like the generated Reader class.
    lambda @0 :UInt8;
  }
  reader @12 :Reader;
  enum None {
    true @0;
    false @1;
    import @2;
  }
  kind @13 :None;
}

struct Box(T) {
  # A generic struct: its reader is Generic[T].
  value @0 :T;
  label @1 :Text;
  pair :group {
    first @2 :T;
    count @3 :UInt32;
  }
  struct Pair(U) {
    left @0 :T;
    right @1 :U;
    inner @2 :Box(U);
  }
}

struct Generics {
  textBox @0 :Box(Text);
  scalarBox @1 :Box(Scalars);
  listBox @2 :Box(List(Int32));
  boxBox @3 :Box(Box(Data));
  pair @4 :Box(Text).Pair(Scalars);
  unbound @5 :Box;
  boxes @6 :List(Box(Text));
}

struct Anys {
  any @0 :AnyPointer;
  anyStruct @1 :AnyStruct;
  anyList @2 :AnyList;
  cap @3 :Capability;
  greeter @4 :Greeter;
  shape @5 :Shapes.Polygon;
}

struct Evolved {
  # Version 2 of Scalars' first fields: read with an old, smaller struct, new fields are defaults.
  v @0 :Void;
  b @1 :Bool;
  i8 @2 :Int8;
  i16 @3 :Int16;
  i32 @4 :Int32;
  i64 @5 :Int64;
  u8 @6 :UInt8;
  u16 @7 :UInt16;
  u32 @8 :UInt32;
  u64 @9 :UInt64;
  f32 @10 :Float32;
  f64 @11 :Float64;
  color @12 :Color;
  extra @13 :Int32 = 77;
  extraText @14 :Text = "new";
  extraColor @15 :Color = darkGoldenRod;
}

interface Greeter {
  # Says hello.
  greet @0 (name :Text, times :UInt8 = 1) -> (greeting :Text);
  # Greet someone.
  shape @1 Shape -> Shape.Point;
}

interface LoudGreeter extends(Greeter) {
  shout @0 (words :List(Text)) -> ();
}

interface Store(Key, Value) {
  get @0 (key :Key) -> (value :Value);
  put @1 [Meta] (key :Key, value :Value, meta :Meta) -> (old :Value);
}

const answer :Int32 = 42;
const pi :Float64 = 3.14159;
const greeting :Text = "hello";
const blob :Data = 0x"de ad be ef";
const favourite :Color = darkGoldenRod;
const origin :Shape.Point = (x = 1, y = -1);
const primes :List(UInt8) = [2, 3, 5, 7];
const flag :Bool = true;
const nothing :Void = void;
const words :List(Text) = ["one", "two"];
const fileId :UInt64 = 1;  # clashes with the module's FILE_ID: becomes FILE_ID_

struct Consts {
  const inner :UInt16 = 7;
  const point :Shape.Point = (x = 3);
}
