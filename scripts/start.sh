#!/usr/bin/env bash
# README command 1: install dependencies, build the release binary and the web app and start Dejima on
# 127.0.0.1:1026 with its embedded SQLite store in ./dejima-data and the demo connectors
# (--demo): Nagasaki's shelters, AMeDAS weather and tourist sites, read from ../shared/data when
# it is there, else from their published URLs. Extra arguments go to `dejima serve` (see
# `build/release/dejima --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target dejima
# The web app, served at http://127.0.0.1:1026/; without it the APIs run and / says why.
bash scripts/build-web.sh || echo "start: the web app was not built (see above); starting the APIs without it" >&2
demo=(--demo)
if [ -d ../shared/data ]; then demo+=(--demo-data "$(cd ../shared/data && pwd)"); fi
exec ./build/release/dejima serve "${demo[@]}" "$@"
