#!/usr/bin/env bash
# Install the pinned npm packages of tests/node (survey-core, gift-pegjs,
# @citolab/qti-components) when node and npm exist.
set -euo pipefail
dir="$(dirname "$0")/../tests/node"
[ -f "$dir/package.json" ] || exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "node-deps: npm not found; the SurveyJS, GIFT and QTI 3 player tests will skip" >&2
  exit 0
fi
if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
  exit 0
fi
cd "$dir"
if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
