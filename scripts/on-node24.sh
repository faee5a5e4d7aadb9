#!/usr/bin/env bash
# Runs `node <args>` on Node 24, the production runtime, which npx fetches from the npm registry
# (once; later runs take it from npm's cache). The machine's own Node is recorded in
# BENCH_MACHINE_NODE so that a benchmark can report both. BENCH_NODE=machine runs on the machine's
# Node instead (to compare the two runtimes).
set -euo pipefail
machine_node=$(node -v)
if [ "${BENCH_NODE:-24}" = machine ]; then
  exec env BENCH_MACHINE_NODE="$machine_node" node "$@"
fi
node24=$(npx -y node@24 -p process.execPath)
exec env BENCH_MACHINE_NODE="$machine_node" "$node24" "$@"
