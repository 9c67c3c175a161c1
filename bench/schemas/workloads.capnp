# The benchmark workloads of purecap's bench/ suite.
#
# The three classic Cap'n Proto benchmark workloads (carsales, catrank, eval), re-expressed with
# our own types, names and field order, plus one small flat struct. Field offsets are whatever the
# reference compiler assigns; bench/check_offsets.py checks that the hand-written accessors in
# bench/purecap_accessors.py agree with `capnp compile -ocapnp`.

@0xedd4abe1fd714726;

# -- flat: a small struct of a few numbers, no pointers ----------------------------------------

struct Reading {
  sensor @0 :UInt32;
  timestamp @1 :Int64;
  celsius @2 :Float64;
  humidity @3 :Float32;
  battery @4 :UInt8;
  alarm @5 :Bool;
  sequence @6 :Int16 = -1;  # a non-zero default: stored XORed on the wire
}

# -- carsales: a parking lot of vehicles; the answer is their total value -----------------------

enum Paint {
  white @0;
  black @1;
  grey @2;
  red @3;
  blue @4;
  green @5;
  orange @6;
  purple @7;
  gold @8;
}

struct Tyre {
  rimInches @0 :UInt16;
  pressureBar @1 :Float32;
  winter @2 :Bool;
}

struct Motor {
  kilowatts @0 :UInt16;
  cylinders @1 :UInt8;
  displacementCc @2 :UInt32;
  combustion @3 :Bool;
  electric @4 :Bool;
}

struct Vehicle {
  maker @0 :Text;
  model @1 :Text;
  paint @2 :Paint;
  seats @3 :UInt8;
  doors @4 :UInt8;
  tyres @5 :List(Tyre);
  lengthCm @6 :UInt16;
  widthCm @7 :UInt16;
  heightCm @8 :UInt16;
  massKg @9 :UInt32;
  motor @10 :Motor;
  tankLitres @11 :Float32;
  fuelLitres @12 :Float32;
  sunroof @13 :Bool;
  autopilot @14 :Bool;
  heatedSeats @15 :Bool;
  cupHolders @16 :UInt8;
  satNav @17 :Bool;
}

struct Lot {
  vehicles @0 :List(Vehicle);
}

# -- catrank: scored search hits with text; re-ranked by what their snippets mention ------------

struct Hit {
  url @0 :Text;
  score @1 :Float64;
  snippet @2 :Text;
}

struct HitList {
  hits @0 :List(Hit);
}

# -- eval: an arithmetic expression tree, evaluated recursively ---------------------------------

enum Operator {
  plus @0;
  minus @1;
  times @2;
  over @3;
  modulo @4;
}

struct Expr {
  operator @0 :Operator;
  lhs :union {
    literal @1 :Int32;
    nested @2 :Expr;
  }
  rhs :union {
    literal @3 :Int32;
    nested @4 :Expr;
  }
}
