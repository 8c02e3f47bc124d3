#!/usr/bin/env bash
# Regenerates the TLS test fixtures in Tests/GearmanServerTests/Fixtures/tls: a CA, a server certificate for
# localhost/127.0.0.1, client certificates whose Common Names the ACL tests use, and one client certificate from
# an untrusted CA. Valid for 100 years so the committed files don't expire under the tests.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/Tests/GearmanServerTests/Fixtures/tls"
mkdir -p "$out"
cd "$out"
days=36500
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

make_ca() {  # name, common name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days" \
    -subj "/CN=$2" -keyout "$1-key.pem" -out "$1.pem" 2>/dev/null
}
make_leaf() {  # name, common name, signing CA, extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/O=swift-gearman tests/CN=$2" \
    -keyout "$1-key.pem" -out "$tmp/$1.csr" 2>/dev/null
  printf '%s\n' "$4" > "$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -CAcreateserial -CAserial "$tmp/$3.srl" \
    -days "$days" -extfile "$tmp/$1.ext" -out "$1.pem" 2>/dev/null
}

make_ca ca "swift-gearman test CA"
make_ca rogue-ca "untrusted test CA"
make_leaf server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
for subject in worker client admin; do
  make_leaf "$subject" "$subject" ca "extendedKeyUsage=clientAuth"
done
make_leaf rogue worker rogue-ca "extendedKeyUsage=clientAuth"
rm -f rogue-ca.pem rogue-ca-key.pem ca-key.pem
