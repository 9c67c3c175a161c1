@0xc0b8d6f0e1a2b3c6;
$fileAnn("file level");
# Annotations on every kind of target, generics and brands, interfaces.

annotation fileAnn(file) :Text;
annotation everywhere(*) :Void;
annotation structAnn(struct, group, union) :Pair(Text, Data);
annotation listAnn(field, param, method, enumerant, enum, const, interface, annotation) :List(Int8);

struct Pair(A, B) $everywhere {
  first @0 :A;
  second @1 :B;
  struct Nested $structAnn((first = "n", second = "d")) {
    a @0 :A;
    b @1 :List(Pair(B, A));
    pair @2 :Pair(B, A);
    grp :group $structAnn((first = "g")) { x @3 :A; }
    un :union $everywhere { y @4 :B; z @5 :Void; }
  }
  enum Kind $listAnn([1, 2]) { one @0 $listAnn([3]); two @1 $everywhere; }
  kind @2 :Kind;
  const defaultPair :Pair(Text, Text) = (first = "f", second = "s");
  interface Getter(C) {
    get @0 [M] (key :A, extra :M, c :C) -> (value :B, m :M, list :List(Pair(M, M)));
    other @1 () -> (p :Pair(C, A));
  }
}

struct UsePair {
  textData @0 :Pair(Text, Data) = (first = "one", second = "two");
  nested @1 :Pair(Text, Data).Nested = (a = "x", b = [(first = "y"), (second = "z")], pair = (first = "p"), grp = (x = "gx"), un = (y = "yy"));
  unbound @2 :Pair;
  partial @3 :Pair(AnyPointer, Text);
  kind @4 :Pair(Text, Text).Kind = two;
  listOfPairs @5 :List(Pair(Text, List(Int32))) = [(first = "a", second = [1])];
  getter @6 :Pair(Text, Data).Getter(UsePair);
  constant @7 :Pair(Text, Text) = Pair(Text, Text).defaultPair;
}

using TextPair = Pair(Text, Text);
using Alias = TextPair.Nested;
using Deep = Pair(Data, Text).Nested;

struct UseAlias $structAnn((first = "alias")) {
  a @0 :TextPair;
  b @1 :Alias;
  c @2 :Deep;
  d @3 :Alias = (a = "v");
}

interface Base $listAnn([0]) {
  ping @0 () -> ();
}

interface Generic(T) extends(Base) {
  echo @0 (t :T) -> (t :T);
  stream @1 (t :T) -> stream;
}

interface Derived extends(Generic(Text), Base) {
  get @0 [U] (u :U) -> Pair(U, Text);
  byStruct @1 UsePair -> UseAlias $listAnn([5, -5]);
  noResults @2 (a :Int32 $listAnn([1]) $everywhere, b :Text $everywhere);
}

const annotatedConst :Int32 = 5 $listAnn([9]) $everywhere;
annotation annotatedAnnotation(field) :Void $listAnn([1]) $everywhere;
