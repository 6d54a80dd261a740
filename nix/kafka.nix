# Apache Kafka from the same jars on Maven Central as the bootstrap's (scripts/kafka/pom.xml,
# resolved into $KAFKA_HOME/libs), listed with their sha256 in nix/kafka/jars.txt: the same
# broker on both paths. nixpkgs 26.05 ships only Kafka 4, which dropped the protocol 2.0.0 that
# Dapr's Kafka component speaks by default. The layout is the bootstrap's KAFKA_HOME (libs/), so
# `./shop` uses it as it is (KAFKA_HOME, set by the dev shell).
{
  lib,
  fetchurl,
  runCommand,
  versions,
}:
let
  version = versions.KAFKA_VERSION;
  lines = builtins.filter (l: builtins.isString l && l != "" && builtins.substring 0 1 l != "#") (
    builtins.split "\n" (builtins.readFile ./kafka/jars.txt)
  );
  jar =
    line:
    let
      parts = builtins.filter builtins.isString (builtins.split " " line);
      path = builtins.elemAt parts 0;
    in
    fetchurl {
      url = "https://repo1.maven.org/maven2/${path}";
      sha256 = builtins.elemAt parts 1;
    };
  jars = map jar lines;
  broker = "kafka_${versions.SCALA_VERSION}-${version}.jar";
in
assert lib.assertMsg (builtins.any (lib.hasInfix "/${broker} ") lines)
  "nix/kafka/jars.txt has no ${broker}: run nix/kafka/jars.sh after changing KAFKA_VERSION";
runCommand "kafka-${versions.SCALA_VERSION}-${version}" { } ''
  mkdir -p $out/libs
  ${lib.concatMapStringsSep "\n" (j: "ln -s ${j} $out/libs/${j.name}") jars}
''
