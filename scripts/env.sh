# Shared environment for CI, the bench and the Python conformance runs. Source it: `. scripts/env.sh`.
# Safe under `set -euo pipefail`; defines variables and one function, runs nothing.

SAMSA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SAMSA_ROOT

# Debian's python3-confluent-kafka and python3-kafka live in /usr/bin/python3's dist-packages. A python3 that comes
# first on PATH (pyenv on the dev machines) does not see them, so tools that need the clients use $SAMSA_PYTHON.
export SAMSA_PYTHON="${SAMSA_PYTHON:-/usr/bin/python3}"

# Modern librdkafka built by scripts/build-librdkafka.sh. Debian's confluent-kafka (built against 2.0.2) and kcat load
# it instead of the system 2.0.2 when it comes first on LD_LIBRARY_PATH (same soname, ABI compatible).
export SAMSA_MODERN_LIBRDKAFKA="$SAMSA_ROOT/.build/librdkafka/lib"

# Runs a command with the modern librdkafka, e.g. `with_modern_librdkafka "$SAMSA_PYTHON" -m ...`.
with_modern_librdkafka () {
  LD_LIBRARY_PATH="$SAMSA_MODERN_LIBRDKAFKA${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
}
