#!/usr/bin/env bash
# Builds the web app (web/, TypeScript + Vite) into web/dist, which `dejima serve` serves at /
# (--web-root). Its packages come from npm as web/package-lock.json pins them; they are installed
# again only when the lock file changed. No browser is downloaded: the tests use Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/../web"
# Vite 7 needs Node.js 20.19 or later (Debian 12's own nodejs is 18).
if ! command -v node >/dev/null ||
  ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "build-web: Node.js >= 20.19 is needed to build the web app (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
