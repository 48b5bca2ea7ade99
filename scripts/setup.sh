#!/usr/bin/env bash
# One-step setup on a fresh machine: Debian packages (Jupyter, reference peers, Chromium, g++ and oneDNN), npm packages
# from the committed lockfile, the oneDNN addon (skipped with a message if it cannot build: wasm is then used), and
# the compiled library. Idempotent: rerunning it is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
bash scripts/build-native.sh
npm run build
