#!/usr/bin/env bash
# Sets up a fresh checkout: LibTorch (pip torch, unless one is already found), npm packages,
# the native addon and the compiled TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! node scripts/find-libtorch.js | grep -q '"libDir"'; then
  # The pip torch release libtorch.json names (CI pins the same).
  torch=$(node -p "require('./libtorch.json').versions.find((v) => v.pip).pip")
  echo "setup: no LibTorch found; installing the Python torch package $torch (CPU)"
  python3 -m pip install "torch==$torch"
fi
npm ci --no-audit --no-fund
npm run build:native
npm run build:ts
node -e 'console.log(require("./dist/lib").config())'
