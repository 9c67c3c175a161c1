@0xc0b8d6f0e1a2b3c5;
annotation tag(enumerant, field, struct) :Text;
struct Thing $tag("thing") {
  name @0 :Text;
  values @1 :List(UInt32);
}
const thingConst :Thing = (name = "constant thing", values = [7]);
