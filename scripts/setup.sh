#!/usr/bin/env bash
# One-step setup on a fresh machine: Debian packages (Jupyter, reference peers, Chromium), npm packages from the
# committed lockfile, and the compiled library. Idempotent: rerunning it is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
npm run build
