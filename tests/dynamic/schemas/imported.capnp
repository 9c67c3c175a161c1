# Imported by dyntest.capnp: types from another file.
@0xc4bd6cbafc7daa61;

struct ImportedStruct {
  value @0 :Text;
  kind @1 :ImportedEnum;
}

enum ImportedEnum {
  one @0;
  two @1;
}

struct Unused {
  # Not referenced by dyntest.capnp, so not in its compiled request.
  x @0 :Int32;
}
