# Imported by features.capnp: its generated module is imported by features_capnp.
@0xa6e0c7d3b2f1e409;

struct Polygon {
  corners @0 :UInt8;
  name @1 :Text;
}
