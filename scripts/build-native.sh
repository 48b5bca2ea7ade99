#!/usr/bin/env bash
# Builds the oneDNN addon (native/onednn/*.cc) into build/native/starcluster_onednn.node with g++, Node's N-API
# headers and Debian's libdnnl-dev. Never fails the setup: when a prerequisite is missing or the compile fails it
# says why, records the reason in build/native/status.json, and exits 0, so the project runs on wasm instead.
# STARCLUSTER_SKIP_NATIVE=1 skips the build (the onednn backend is then reported as not built).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=build/native
mkdir -p "$OUT"
rm -f "$OUT/starcluster_onednn.node" "$OUT/status.json"

# status.json: {"built": bool, "reason": "..."}; "missing" marks an absent prerequisite (not a bug in the build).
status() {
  node -e 'const [b, m, r] = process.argv.slice(1); require("fs").writeFileSync(process.argv[4], JSON.stringify({ built: b === "1", missing: m === "1", reason: r }) + "\n")' "$1" "$2" "$3" "$OUT/status.json"
}
give_up() {
  echo "build-native: onednn backend not built: $2 (the wasm backend will be used)" >&2
  status 0 "$1" "$2"
  exit 0
}

[ "${STARCLUSTER_SKIP_NATIVE:-0}" = "1" ] && give_up 1 "STARCLUSTER_SKIP_NATIVE=1"
CXX=${CXX:-g++}
command -v "$CXX" >/dev/null || give_up 1 "no C++ compiler ($CXX; Debian: apt-get install g++)"
# Node's headers sit beside its binary (nodesource, nvm, official tarballs) or in /usr/include/node (Debian libnode-dev).
NODE_INCLUDE=$(node -p 'require("path").resolve(process.execPath, "..", "..", "include", "node")')
[ -f "$NODE_INCLUDE/node_api.h" ] || NODE_INCLUDE=/usr/include/node
[ -f "$NODE_INCLUDE/node_api.h" ] || give_up 1 "Node's N-API headers (node_api.h) not found"
echo '#include <oneapi/dnnl/dnnl.hpp>' | "$CXX" -std=c++17 -x c++ -fsyntax-only - 2>/dev/null ||
  give_up 1 "oneDNN headers not found (Debian: apt-get install libdnnl-dev)"

echo "build-native: compiling native/onednn -> $OUT/starcluster_onednn.node"
# No -march: the binary may move to other nodes of a cluster; oneDNN picks AVX2/AVX-512 code at run time itself.
# -ffp-contract=off: no fused multiply-adds, so the fused kernels round exactly as the composed JS ops do.
# -fno-math-errno: sqrt compiles to the vector instruction (with errno set for negative inputs it cannot); results
# are the same IEEE values, and nothing reads errno.
if ! "$CXX" -std=c++17 -O3 -ffp-contract=off -fno-math-errno -fPIC -shared -fopenmp -fvisibility=hidden -Wall -Wextra \
    -I"$NODE_INCLUDE" native/onednn/*.cc -o "$OUT/starcluster_onednn.node.tmp" -ldnnl 2>"$OUT/build.log"; then
  cat "$OUT/build.log" >&2
  give_up 0 "compile failed (see $OUT/build.log)"
fi
mv "$OUT/starcluster_onednn.node.tmp" "$OUT/starcluster_onednn.node"
node -e 'require(process.argv[1]).setThreads(1)' "$PWD/$OUT/starcluster_onednn.node" 2>>"$OUT/build.log" ||
  { rm -f "$OUT/starcluster_onednn.node"; give_up 0 "the built addon does not load (see $OUT/build.log)"; }
status 1 0 "built with oneDNN $(node -p 'require(process.argv[1]).version()' "$PWD/$OUT/starcluster_onednn.node")"
echo "build-native: ok"
