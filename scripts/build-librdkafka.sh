#!/usr/bin/env bash
# Builds a modern librdkafka (2.x, Fetch v16+ with topic IDs) into .build/librdkafka/, so the conformance suite can run
# the same Python clients against both Debian's librdkafka 2.0.2 and a current one (LD_LIBRARY_PATH, see scripts/env.sh).
#
# The source comes from the npm registry: @confluentinc/kafka-javascript ships librdkafka's full source under
# deps/librdkafka. We only `npm pack` it (never `npm install`: its install script downloads a prebuilt binary, which
# cannot work without general network access) and build the C library with Debian's -dev packages.
#
# Needs: gcc, make, pkg-config, python3, libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev
# (.ci/run installs them). Takes ~1 min on 2 cores; does nothing when the pinned version is already built.
set -euo pipefail

# Pinned: kafka-javascript 1.10.1 ships librdkafka 2.15.1. Bump both lines together (sha1 from `npm view <pkg>@<v> dist.shasum`).
KAFKA_JS_VERSION="1.10.1"
KAFKA_JS_SHA1="8a6fdeb9e1b225f020299a313f9aebc7502e57bf"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/.build"
prefix="$build/librdkafka"
stamp="$prefix/.built-from-kafka-javascript-$KAFKA_JS_VERSION"

if [[ -f "$stamp" && -e "$prefix/lib/librdkafka.so.1" ]]; then
  echo "librdkafka $(cat "$stamp") already built in $prefix (kafka-javascript $KAFKA_JS_VERSION)"
  exit 0
fi

mkdir -p "$build"
tarball="$build/confluentinc-kafka-javascript-$KAFKA_JS_VERSION.tgz"
if [[ ! -f "$tarball" ]] || ! echo "$KAFKA_JS_SHA1  $tarball" | sha1sum --check --status; then
  rm -f "$tarball"
  echo "npm pack @confluentinc/kafka-javascript@$KAFKA_JS_VERSION"
  (cd "$build" && npm pack --silent --no-fund --no-audit "@confluentinc/kafka-javascript@$KAFKA_JS_VERSION" >/dev/null)
fi
echo "$KAFKA_JS_SHA1  $tarball" | sha1sum --check --status || { echo "checksum mismatch for $tarball" >&2; exit 1; }

# Fresh source tree every time we get here: a half-finished earlier build must not leak into this one.
src="$build/librdkafka-src"
rm -rf "$src" "$prefix"
mkdir -p "$src"
tar -xzf "$tarball" -C "$src" --strip-components=3 package/deps/librdkafka
cd "$src"

# --no-download: mklove must not fetch modules from the internet (they are all in the tarball).
# --enable-X (not the default "try"): fail loudly if a -dev package is missing instead of silently building without it.
# No --install-deps, so nothing is ever built from downloaded dependency sources.
./configure --prefix="$prefix" --no-download \
  --enable-ssl --enable-gssapi --enable-zlib --enable-zstd --enable-lz4-ext --enable-curl \
  > "$build/librdkafka-configure.log" 2>&1 || { tail -40 "$build/librdkafka-configure.log" >&2; exit 1; }

make -j"$(nproc)" libs > "$build/librdkafka-make.log" 2>&1 || { tail -40 "$build/librdkafka-make.log" >&2; exit 1; }

# Top-level `make install` also installs docs/examples, and the npm package ships no examples/: install the libs only.
make -C src install > /dev/null
make -C src-cpp install > /dev/null

version="$(sed -n 's/^#define RD_KAFKA_VERSION *0x\([0-9a-f]\{2\}\)\([0-9a-f]\{2\}\)\([0-9a-f]\{2\}\).*/\1 \2 \3/p' src/rdkafka.h \
  | { read -r a b c; printf '%d.%d.%d' "0x$a" "0x$b" "0x$c"; })"
echo "$version" > "$stamp"
cd "$build" && rm -rf "$src" # ~200 MB of objects; the installed prefix is the cache
echo "librdkafka $version installed in $prefix"
