# Every annotation of compat/json.capnp, for the JSON codec's tests: the cases of the
# reference's json-test.capnp, plus a root that reaches them all.
@0xd3a1c2b4e5f60718;

using Json = import "/capnp/compat/json.capnp";

struct Annotated {
  someField @0 :Text $Json.name("names-can_contain!anything Really");

  aGroup :group $Json.flatten() {
    flatFoo @1 :UInt32;
    flatBar @2 :Text;
    flatBaz :group $Json.name("renamed-flatBaz") {
      hello @3 :Bool;
    }
    doubleFlat :group $Json.flatten() {
      flatQux @4 :Text;
    }
  }

  prefixedGroup :group $Json.flatten(prefix = "pfx.") {
    foo @5 :Text;
    bar @6 :UInt32 $Json.name("renamed-bar");
    baz :group {
      hello @7 :Bool;
    }
    morePrefix :group $Json.flatten(prefix = "xfp.") {
      qux @8 :Text;
    }
  }

  aUnion :union $Json.flatten() $Json.discriminator(name = "union-type") {
    foo :group $Json.flatten() {
      fooMember @9 :Text;
      multiMember @10 :UInt32;
    }
    bar :group $Json.flatten() $Json.name("renamed-bar") {
      barMember @11 :UInt32;
      multiMember @12 :Text;
    }
  }

  dependency @13 :Annotated2;

  simpleGroup :group {
    grault @14 :Text $Json.name("renamed-grault");
  }

  enums @15 :List(AnnotatedEnum);

  innerJson @16 :Json.Value;

  plainText @17 :Text;

  testBase64 @18 :Data $Json.base64;
  testHex @19 :Data $Json.hex;

  bUnion :union $Json.flatten() $Json.discriminator(valueName = "bValue") {
    foo @20 :Text;
    bar @21 :UInt32 $Json.name("renamed-bar");
  }

  externalUnion @22 :Annotated3;

  unionWithVoid :union $Json.discriminator(name = "type") {
    intValue @23 :UInt32;
    voidValue @24 :Void;
    textValue @25 :Text;
  }

  base64Union @26 :Base64Union;
  oneEnum @27 :AnnotatedEnum $Json.name("one-enum");
  flatStruct @28 :FlattenedStruct $Json.flatten(prefix = "fs_");
  moreJson @29 :List(Json.Value);
}

struct Annotated2 {
  foo @0 :Text $Json.name("renamed-foo");
  cycle @1 :Annotated;
}

struct Annotated3 $Json.discriminator(name = "type") {
  union {
    foo @0 :UInt32;
    bar @1 :FlattenedStruct $Json.flatten();
  }
}

struct FlattenedStruct {
  value @0 :Text;
}

enum AnnotatedEnum {
  foo @0;
  bar @1 $Json.name("renamed-bar");
  baz @2 $Json.name("renamed-baz");
  qux @3;
}

struct Base64Union {
  union {
    foo @0 :Data $Json.base64;
    bar @1 :Text;
  }
}
