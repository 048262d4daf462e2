#!/usr/bin/env bash
# Builds the web app (web/, TypeScript + Vite) into web/dist, which `dejima serve` serves at /
# (--web-root). Its packages come from npm as web/package-lock.json pins them; they are installed
# again only when the lock file changed. No browser is downloaded: the tests use Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/../web"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
