#!/usr/bin/env bash
# npm run lint: Biome's linter (fails on any error or warning), then the formatters' checks: Biome on TypeScript and
# JavaScript (biome.jsonc), clang-format on native/ C++ (.clang-format). `npm run format` applies both formatters.
set -euo pipefail
cd "$(dirname "$0")/.."

biome=node_modules/.bin/biome
"$biome" lint --error-on-warnings

status=0
if ! "$biome" format >/tmp/starcluster-format.$$ 2>&1; then
  grep -E "^(Checked|Found)" /tmp/starcluster-format.$$ || true
  echo "lint: formatting differs from Biome's (npm run format writes it)"
  status=1
fi
rm -f /tmp/starcluster-format.$$

native=(native/onednn/*.cc native/onednn/*.h)
if command -v clang-format >/dev/null; then
  differ=0
  for f in "${native[@]}"; do
    # Captured first: grep -q closing the pipe early would fail the pipeline (pipefail) and hide a difference.
    report=$(clang-format --dry-run "$f" 2>&1)
    if grep -q "warning:" <<<"$report"; then differ=$((differ + 1)); fi
  done
  if [ "$differ" -gt 0 ]; then
    echo "lint: $differ of ${#native[@]} native/ files differ from clang-format's layout (npm run format writes it)"
    status=1
  fi
else
  echo "lint: clang-format not installed (scripts/setup-system.sh installs it): native/ not checked"
fi

[ "$status" -eq 0 ] && echo "lint: clean"
exit "$status"
