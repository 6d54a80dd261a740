# RabbitMQ for the dev shell: Debian bookworm's rabbitmq-server 3.10.8 on Debian's Erlang 25,
# the very packages the bootstrap installs with apt (nix/rabbitmq/debs.txt, with the SHA256 of
# Debian's signed index), unpacked and patched to run from the Nix store. nixpkgs 26.05 has only
# RabbitMQ 4.2, and Debian bookworm only 3.10: this keeps one RabbitMQ major on both paths.
# The packages are amd64 builds, so this is x86_64-linux only.
{
  lib,
  stdenv,
  fetchurl,
  dpkg,
  autoPatchelfHook,
  makeWrapper,
  ncurses,
  zlib,
  openssl,
  lksctp-tools,
  systemdLibs,
  coreutils,
  gnused,
  gawk,
  gnugrep,
  procps,
  socat,
  getconf,
  versions,
}:
let
  lines = builtins.filter (l: builtins.isString l && l != "" && builtins.substring 0 1 l != "#") (
    builtins.split "\n" (builtins.readFile ./rabbitmq/debs.txt)
  );
  fields = line: builtins.filter builtins.isString (builtins.split " " line);
  deb =
    line:
    let
      url = builtins.elemAt (fields line) 0;
    in
    fetchurl {
      inherit url;
      # Store names cannot hold the "%2b" ("+") of Debian's addresses.
      name = builtins.replaceStrings [ "%2b" ] [ "+" ] (baseNameOf url);
      sha256 = builtins.elemAt (fields line) 1;
    };
  server = lib.findFirst (lib.hasInfix "/rabbitmq-server_") (throw "nix/rabbitmq/debs.txt has no rabbitmq-server") lines;
  version = builtins.head (builtins.match ".*/rabbitmq-server_([0-9.]+)-.*" server);
in
assert lib.assertMsg (lib.versions.major version == versions.RABBITMQ_MAJOR)
  "nix/rabbitmq/debs.txt holds RabbitMQ ${version}, scripts/versions.env says major ${versions.RABBITMQ_MAJOR}";
stdenv.mkDerivation {
  pname = "rabbitmq-server";
  inherit version;
  srcs = map deb lines;
  dontUnpack = true;

  nativeBuildInputs = [
    dpkg
    autoPatchelfHook
    makeWrapper
  ];
  # What Debian's erlang-base and erlang-crypto link against.
  buildInputs = [
    ncurses
    zlib
    openssl
    lksctp-tools
    systemdLibs
    stdenv.cc.cc.lib
  ];

  installPhase = ''
    runHook preInstall
    mkdir -p $out
    for d in $srcs; do dpkg-deb -x "$d" $out; done
    # Debian's Erlang start scripts name their root, /usr/lib/erlang.
    for f in $(grep -rlI /usr/lib/erlang $out/usr/lib/erlang/bin $out/usr/lib/erlang/erts-*/bin); do
      substituteInPlace "$f" --replace-quiet /usr/lib/erlang $out/usr/lib/erlang
    done
    # The scripts ./shop runs (RABBITMQ_BIN), with Erlang and the tools they call on PATH.
    mkdir -p $out/bin
    for s in $out/usr/lib/rabbitmq/lib/rabbitmq_server-${version}/sbin/*; do
      makeWrapper "$s" $out/bin/$(basename "$s") \
        --prefix PATH : $out/usr/lib/erlang/bin:${
          lib.makeBinPath [
            coreutils
            gnused
            gawk
            gnugrep
            procps
            socat
            getconf
          ]
        }
    done
    runHook postInstall
  '';

  meta = {
    description = "RabbitMQ ${version} on Erlang 25, from Debian bookworm's packages";
    homepage = "https://www.rabbitmq.com/";
    license = lib.licenses.mpl20;
    platforms = [ "x86_64-linux" ];
  };
}
