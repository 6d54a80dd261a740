# OCI images: one per service and one for daprd. Each holds the binary (its entrypoint), its
# Nix closure, CA certificates and an /etc/passwd whose `nobody` it runs as; no shell.
# `nix build .#orders-image` gives a script that streams the image: `./result | docker load`.
{
  lib,
  dockerTools,
  cacert,
  dapr,
  servicePackages,
}:
let
  image =
    {
      name,
      tag,
      entrypoint,
    }:
    dockerTools.streamLayeredImage {
      inherit name tag;
      contents = [
        cacert
        dockerTools.fakeNss
      ];
      config = {
        Entrypoint = entrypoint;
        User = "65534:65534";
        Env = [ "SSL_CERT_FILE=${cacert}/etc/ssl/certs/ca-bundle.crt" ];
      };
    };
in
lib.mapAttrs' (
  name: pkg:
  lib.nameValuePair "${name}-image" (image {
    name = "shop-${name}";
    tag = pkg.version;
    entrypoint = [ (lib.getExe pkg) ];
  })
) servicePackages
// {
  daprd-image = image {
    name = "daprd";
    tag = dapr.version;
    entrypoint = [ "${dapr}/bin/daprd" ];
  };
}
