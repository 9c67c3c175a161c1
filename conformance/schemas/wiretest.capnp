# The schema of purecap's wire-level conformance suite (conformance/).
#
# purecap's wire layer knows no schemas: the tests read and write fields at the offsets the
# reference compiler assigns to them, listed in conformance/wiretest.py (and re-derived from
# `capnp compile -ocapnp` by a test, so the list cannot go stale). The types here cover every
# field kind the wire format has: each primitive width, bools packed into bits, enums, Text, Data,
# nested structs, zero-sized structs, lists of every element size, lists of lists, unions (named
# and not), groups, defaults of every kind, AnyPointer, and a recursive type for deep messages.

@0xea0024a10f0780cc;

enum Color {
  red @0;
  green @1;
  blue @2;
  ultraviolet @3;
}

struct Empty {}

struct Inner {
  id @0 :UInt32;
  name @1 :Text;
  flag @2 :Bool;
  color @3 :Color;
  tags @4 :List(Text);
  score @5 :Float64;
}

# A struct with no data section: a list of these is a struct list of pointer-only elements.
struct PtrOnly {
  text @0 :Text;
  ints @1 :List(Int16);
}

# A struct with no pointer section.
struct DataOnly {
  a @0 :Int16;
  b @1 :Bool;
  c @2 :UInt64;
}

struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uInt8Field @6 :UInt8;
  uInt16Field @7 :UInt16;
  uInt32Field @8 :UInt32;
  uInt64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :Inner;
  enumField @15 :Color;
  anyField @16 :AnyPointer;
  emptyField @17 :Empty;
  dataOnlyField @18 :DataOnly;

  voidList @19 :List(Void);
  boolList @20 :List(Bool);
  int8List @21 :List(Int8);
  int16List @22 :List(Int16);
  int32List @23 :List(Int32);
  int64List @24 :List(Int64);
  uInt8List @25 :List(UInt8);
  uInt16List @26 :List(UInt16);
  uInt32List @27 :List(UInt32);
  uInt64List @28 :List(UInt64);
  float32List @29 :List(Float32);
  float64List @30 :List(Float64);
  textList @31 :List(Text);
  dataList @32 :List(Data);
  structList @33 :List(Inner);
  enumList @34 :List(Color);
  int32ListList @35 :List(List(Int32));
  textListList @36 :List(List(Text));
  structListList @37 :List(List(Inner));
  ptrOnlyList @38 :List(PtrOnly);
  dataOnlyList @39 :List(DataOnly);
  emptyList @40 :List(Empty);

  # More bools, so that several share a byte with each other and with a union's fields.
  bool2 @41 :Bool;
  bool3 @42 :Bool;

  # An unnamed union: its members are fields of AllTypes, its tag sits in the data section.
  union {
    unionVoid @43 :Void;
    unionInt32 @44 :Int32;
    unionText @45 :Text;
    unionStruct @46 :Inner;
    unionBool @47 :Bool;
    unionList @48 :List(UInt64);
  }

  # A group: fields laid out in AllTypes's own sections, named together.
  group :group {
    gInt8 @49 :Int8;
    gText @50 :Text;
    gFloat32 @51 :Float32;
    # A union inside a group.
    inner :union {
      innerA @52 :UInt16;
      innerB @53 :Data;
      innerGroup :group {
        x @54 :Int64;
        y @55 :Bool;
      }
    }
  }

  # A named union at the top level.
  choice :union {
    nothing @56 :Void;
    number @57 :Float64;
    word @58 :Text;
    colors @59 :List(Color);
  }
}

struct Defaults {
  voidField @0 :Void = void;
  boolField @1 :Bool = true;
  int8Field @2 :Int8 = -123;
  int16Field @3 :Int16 = -12345;
  int32Field @4 :Int32 = -12345678;
  int64Field @5 :Int64 = -123456789012345;
  uInt8Field @6 :UInt8 = 234;
  uInt16Field @7 :UInt16 = 45678;
  uInt32Field @8 :UInt32 = 3456789012;
  uInt64Field @9 :UInt64 = 12345678901234567890;
  float32Field @10 :Float32 = 1234.5;
  float64Field @11 :Float64 = -1.25e47;
  textField @12 :Text = "foo";
  dataField @13 :Data = 0x"62 61 72";
  structField @14 :Inner = (id = 7, name = "seven", flag = true, tags = ["a", "b"], score = 0.5);
  enumField @15 :Color = blue;
  int32List @16 :List(Int32) = [1, -2, 3];
  boolList @17 :List(Bool) = [true, false, true, true];
  textList @18 :List(Text) = ["x", "yz"];
  structList @19 :List(Inner) = [(id = 1), (id = 2, name = "two", color = green)];
  int32ListList @20 :List(List(Int32)) = [[1], [], [2, 3]];
  float32Nan @21 :Float32 = nan;
  float64Inf @22 :Float64 = inf;
  float64NegInf @23 :Float64 = -inf;
  float64NegZero @24 :Float64 = -0.0;
  bool2 @25 :Bool = false;
  bool3 @26 :Bool = true;
  union {
    defaultInt @27 :Int32 = 42;
    defaultText @28 :Text = "union";
  }
}

# A recursive type: trees and chains as deep as a test wants.
struct Tree {
  value @0 :Int64;
  label @1 :Text;
  children @2 :List(Tree);
  next @3 :Tree;
}
