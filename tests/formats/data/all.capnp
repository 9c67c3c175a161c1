@0xd1a2b3c4d5e6f701;
enum Color { red @0; green @1; blue @2; }
struct Inner { x @0 :Int32; s @1 :Text; }
struct All {
  v @0 :Void; b @1 :Bool; i8 @2 :Int8; i16 @3 :Int16; i32 @4 :Int32; i64 @5 :Int64;
  u8 @6 :UInt8; u16 @7 :UInt16; u32 @8 :UInt32; u64 @9 :UInt64;
  f32 @10 :Float32; f64 @11 :Float64; t @12 :Text; d @13 :Data;
  e @14 :Color = green; inner @15 :Inner;
  li @16 :List(Int32); lt @17 :List(Text); ls @18 :List(Inner); ll @19 :List(List(UInt8));
  le @20 :List(Color); lb @21 :List(Bool); lf @22 :List(Float64); lv @23 :List(Void);
  ld @24 :List(Data);
  union { none @25 :Void; num @26 :Int16; str @27 :Text; grp :group { a @28 :UInt8; b @29 :Text; } }
  g :group { p @30 :Int64; q @31 :Float32; u :union { m @32 :Void; n @33 :Bool; } }
  ap @34 :AnyPointer;
  dflt @35 :Int32 = 42;
  bigneg @36 :Int64 = -5;
}
const c1 :All = (i32 = 5, t = "hey", ls = [(x = 1, s = "a"), (x = 2)], num = 7, g = (p = 1));
const c2 :Float32 = 1.5;
const c3 :List(Inner) = [(x = 9)];
const c4 :Text = "a\tb";
const c5 :Color = blue;
