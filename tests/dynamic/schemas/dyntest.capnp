# The test schema of the dynamic API: every type, defaults, unions, groups, generics, constants,
# nested declarations and interfaces. `capnp compile -ocapnp dyntest.capnp` shows where each field
# lives. The fixtures of ../data are made from it by ../data/make_fixtures.sh: regenerate them
# after changing it.
@0xcf115045b853c29c;

using Imported = import "imported.capnp";

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uint8Field @6 :UInt8;
  uint16Field @7 :UInt16;
  uint32Field @8 :UInt32;
  uint64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :AllTypes;
  enumField @15 :Color;
  interfaceField @16 :Calculator;
  anyField @17 :AnyPointer;

  voidList @18 :List(Void);
  boolList @19 :List(Bool);
  int8List @20 :List(Int8);
  int16List @21 :List(Int16);
  int32List @22 :List(Int32);
  int64List @23 :List(Int64);
  uint8List @24 :List(UInt8);
  uint16List @25 :List(UInt16);
  uint32List @26 :List(UInt32);
  uint64List @27 :List(UInt64);
  float32List @28 :List(Float32);
  float64List @29 :List(Float64);
  textList @30 :List(Text);
  dataList @31 :List(Data);
  structList @32 :List(AllTypes);
  enumList @33 :List(Color);
  interfaceList @34 :List(Calculator);
  listList @35 :List(List(Int32));
  textListList @36 :List(List(Text));
  anyStruct @37 :AnyStruct;
  anyList @38 :AnyList;
}

struct Defaults {
  boolField @0 :Bool = true;
  int8Field @1 :Int8 = -123;
  int16Field @2 :Int16 = -12345;
  int32Field @3 :Int32 = -12345678;
  int64Field @4 :Int64 = -123456789012345;
  uint8Field @5 :UInt8 = 234;
  uint16Field @6 :UInt16 = 45678;
  uint32Field @7 :UInt32 = 3456789012;
  uint64Field @8 :UInt64 = 12345678901234567890;
  float32Field @9 :Float32 = 1234.5;
  float64Field @10 :Float64 = -1.25e-123;
  textField @11 :Text = "foo";
  dataField @12 :Data = "bar";
  structField @13 :Point = (x = 1, y = 2, label = "origin-ish");
  enumField @14 :Color = blue;
  int32List @15 :List(Int32) = [1, 2, 3];
  textList @16 :List(Text) = ["a", "b"];
  structList @17 :List(Point) = [(x = 5), (y = 6)];
  nan32 @18 :Float32 = nan;
  inf64 @19 :Float64 = -inf;
}

struct Point {
  x @0 :Int32;
  y @1 :Int32;
  label @2 :Text;
}

struct Shape {
  # An unnamed union, a named union, a group, a group in the union, a union in a group.
  name @0 :Text;
  union {
    circle @1 :Float64;          # radius
    rectangle :group {
      width @2 :Float64;
      height @3 :Float64;
    }
    polygon @4 :List(Point);
    empty @5 :Void;
    tag @6 :Text;
  }
  color :union {
    named @7 :Color;
    rgb @8 :UInt32;
    none @9 :Void;
  }
  style :group {
    thickness @10 :UInt8 = 1;
    pattern :union {
      solid @11 :Void;
      dashed @12 :UInt16;
      custom @13 :Text;
    }
  }
  depth @14 :Int16;
}

struct Box(T) {
  value @0 :T;
  count @1 :UInt32;
}

struct Pair(K, V) {
  key @0 :K;
  value @1 :V;
  struct Entry {
    # Nested in a generic struct: K and V are its parent's.
    first @0 :K;
    second @1 :V;
  }
  entry @2 :Entry;
}

struct Wrapper(T) {
  # Brands that pass a parameter on: List(Box(T)), Pair(T, Text), a nested struct using T.
  boxes @0 :List(Box(T));
  pair @1 :Pair(T, Text);
  inner @2 :Inner;
  struct Inner {
    item @0 :T;
  }
}

struct Generics {
  textBox @0 :Box(Text);
  pointBox @1 :Box(Point);
  dataPair @2 :Pair(Text, Data);
  nested @3 :Pair(Text, Box(Point));
  boxList @4 :List(Box(Text));
  unbound @5 :Box;
  listBox @6 :Box(List(Int32));
  wrapped @7 :Wrapper(Point);
}

struct Names {
  # Field names that are Python keywords, or names of the wrappers' methods.
  from @0 :Int32;
  class @1 :Text;
  init @2 :UInt8;
  which @3 :Bool;
  copy @4 :Text;
  lambda @5 :Float32;
}

struct Outer {
  inner @0 :Inner;
  struct Inner {
    deep @0 :Deep;
    level @1 :UInt8;
    struct Deep {
      value @0 :Int64;
      mood @1 :Mood;
      enum Mood {
        happy @0;
        sad @1;
        class @2;
      }
    }
  }
  const answer :Int32 = 42;
  external @1 :Imported.ImportedStruct;
}

struct OldVersion {
  a @0 :Int32;
  t @1 :Text;
}

struct NewVersion {
  a @0 :Int32;
  t @1 :Text;
  b @2 :Int64 = 77;
  u @3 :Text = "new";
  l @4 :List(Int32) = [9];
}

interface Calculator {
  evaluate @0 (expression :Text) -> (value :Float64);
  getOperator @1 (op :Color) -> (func :Calculator);
  struct Expression {
    literal @0 :Float64;
  }
}

interface ScientificCalculator extends(Calculator) {
  sqrt @0 (x :Float64) -> (y :Float64);
}

const intConst :Int32 = -7;
const floatConst :Float32 = 0.1;
const textConst :Text = "hello\nworld";
const dataConst :Data = 0x"00 ff 10";
const enumConst :Color = green;
const structConst :Point = (x = 3, y = -4, label = "p");
const listConst :List(Point) = [(x = 1), (x = 2)];
const textListConst :List(Text) = ["x", "y", "z"];
const boolConst :Bool = true;
const voidConst :Void = void;
const uint64Const :UInt64 = 0xffffffffffffffff;
