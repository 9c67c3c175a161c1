#!/bin/sh
# Regenerates the binary fixtures and the expected text output from the *.txt inputs, with the
# reference tool (capnp 0.9.2): `capnp encode` makes NAME.bin and NAME.packed, `capnp decode`
# prints NAME.bin back as NAME.decoded (pretty) and NAME.short (--short). Run from this directory.
set -eu
schema=../schemas/dyntest.capnp
for input in *.txt; do
  name=${input%.txt}
  case $name in
    alltypes|floats|inline) type=AllTypes ;;
    shape_*) type=Shape ;;
    generics|pair*) type=Generics ;;
    outer) type=Outer ;;
    newversion) type=NewVersion ;;
    oldversion) type=OldVersion ;;
    names) type=Names ;;
    *) echo "no type for $input" >&2; exit 1 ;;
  esac
  capnp encode -I .. $schema $type < "$input" > "$name.bin"
  capnp encode --packed -I .. $schema $type < "$input" > "$name.packed"
  capnp decode $schema $type < "$name.bin" > "$name.decoded"
  capnp decode --short $schema $type < "$name.bin" > "$name.short"
done
# A request compiled by the reference, for load_request (packed, to keep it small).
capnp compile -o- --src-prefix=../schemas -I ../schemas $schema | capnp convert binary:packed > dyntest.request.packed
