@0xc0b8d6f0e1a2b3c4;
# Default values and constants of every kind, compiled as capnp 0.9.2 encodes them.

using Imported = import "imported.capnp";

enum Color { red @0; green @1; blue @2 $Imported.tag("blue"); }

struct Numbers {
  i8 @0 :Int8 = -128;
  i16 @1 :Int16 = 0x7fff;
  i32 @2 :Int32 = -2147483648;
  i64 @3 :Int64 = -9223372036854775808;
  u8 @4 :UInt8 = 255;
  u16 @5 :UInt16 = 0777;
  u32 @6 :UInt32 = 4294967295;
  u64 @7 :UInt64 = 18446744073709551615;
  f32 @8 :Float32 = 3.14159265358979;
  f64 @9 :Float64 = -2.5e-300;
  f32Inf @10 :Float32 = inf;
  f64NegInf @11 :Float64 = -inf;
  f32Nan @12 :Float32 = nan;
  f64Int @13 :Float64 = 12345678901234567;
  f32Int @14 :Float32 = 16777217;
  f32Big @15 :Float32 = 1e39;
  negZero @16 :Float64 = -0.0;
  negZeroInt @17 :Float64 = -0;
  b @18 :Bool = true;
  color @19 :Color = blue;
  v @20 :Void = void;
  t @21 :Text = "tab\there \"quoted\" \x01 \xc3\xa9 unicode";
  d @22 :Data = "bytes";
  d2 @23 :Data = 0x"00 01 fe ff";
  emptyText @24 :Text = "";
  emptyData @25 :Data = "";
  f32Small @26 :Float32 = 1e-46;
  u64Hex @27 :UInt64 = 0xffffffffffffffff;
}

struct Inner {
  a @0 :Int32 = 7;
  b @1 :Text;
  union {
    x @2 :Float64 = 1.5;
    y @3 :List(Int16);
    z :group { p @4 :Bool = true; q @5 :UInt8 = 3; }
  }
  g :group {
    h @6 :Int64 = -1;
    u :union { m @7 :Void; n @8 :Text = "n"; }
  }
}

struct Outer {
  inner @0 :Inner = (a = 1, b = "bee", y = [1, -2, 3], g = (h = 5, u = (n = "nn")));
  innerZ @1 :Inner = (z = (p = false, q = 200));
  inners @2 :List(Inner) = [(a = 1), (x = 2.5), (z = (q = 9)), ()];
  bools @3 :List(Bool) = [true, false, true, true, false, false, false, false, true];
  texts @4 :List(Text) = ["a", "", "ccc"];
  datas @5 :List(Data) = ["x", 0x"ff"];
  nested @6 :List(List(Int32)) = [[1], [], [2, 3]];
  nestedText @7 :List(List(Text)) = [["a", "b"], []];
  enums @8 :List(Color) = [red, blue, green];
  voids @9 :List(Void) = [void, void, void];
  floats @10 :List(Float32) = [1.0, inf, -inf, 0.1];
  doubles @11 :List(Float64) = [1, -1, 1e308];
  u64s @12 :List(UInt64) = [0, 18446744073709551615];
  i8s @13 :List(Int8) = [-1, 127, -128];
  emptyList @14 :List(Int32) = [];
  emptyStruct @15 :Inner = ();
  fromConst @16 :Inner = .innerConst;
  listFromConst @17 :List(Int32) = .listConst;
  anyStruct @18 :AnyPointer = .innerConst;
  anyList @19 :AnyPointer = .listConst;
  anyStructTyped @20 :AnyStruct = .innerConst;
  anyListTyped @21 :AnyList = .listConst;
  numConst @22 :Int64 = .Holder.nested;
  floatFromInt @23 :Float32 = .intConst;
  imported @24 :Imported.Thing = (name = "imp", values = [1, 2]);
  importedConst @25 :Imported.Thing = Imported.thingConst;
  structList @26 :List(Imported.Thing) = [(name = "a"), (values = [3])];
  twice @27 :Inner = (a = 1, a = 2, b = "x", b = "y");
  unionTwice @28 :Inner = (x = 3.0, y = [4]);
  groupTwice @29 :Inner = (g = (h = 1), g = (u = (n = "q")));
}

const innerConst :Inner = (a = 99, b = "const", z = (p = true));
const listConst :List(Int32) = [10, 20, 30];
const colorConst :Color = green;
const intConst :Int32 = -17;
const textConst :Text = "some text";
const dataConst :Data = .textConstAsData;
const textConstAsData :Data = "abc";
const voidConst :Void = void;
const boolConst :Bool = .otherBool;
const otherBool :Bool = true;
const f32Const :Float32 = .f64Const;
const f64Const :Float64 = 0.1;
const structListConst :List(Inner) = [(a = 1), (b = "two")];
const listOfLists :List(List(Float64)) = [[1.5, nan], [inf]];
const embedText :Text = embed "embedded.txt";
const embedData :Data = embed "embedded.txt";

struct Holder {
  const nested :Int16 = -300;
  struct Deep {
    const deeper :Text = .textConst;
  }
}

struct Params {
  interface Svc {
    call @0 (a :Int32 = 5, b :Text = "dflt", c :Inner = (a = 3), d :Text = null,
             e :List(Int32) = null) -> (r :Color = blue);
  }
}
