#!/usr/bin/env bash
# Installs every package Dejima needs to build, test and benchmark, from Debian 12's archive.
# Used by both README commands and by .ci/run. Safe to run again.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev              # Boost.Asio / Beast (header-only parts); NOT libboost-dev (1.74)
  rapidjson-dev libsimdjson-dev libspdlog-dev libfmt-dev libsqlite3-dev libcurl4-openssl-dev
  libpcre2-dev libgeos-dev      # q patterns / idPattern; geo-queries
  libpugixml-dev libzip-dev     # JMA 防災情報XML and Atom feeds; GTFS zip files
  zlib1g-dev                    # gzip of the web app's files (site/)
  tzdata                        # --time-zone of cron schedules
  libabsl-dev                   # B-tree sets for the in-memory indexes
  libmosquitto-dev mosquitto mosquitto-clients  # MQTT notifications; broker and client for tests
  libjemalloc-dev               # allocator of the release server binary
  libsodium-dev                 # API key hashes and random keys, argon2id passwords (access/)
  libssl-dev                    # OpenSSL 3: the signatures of OpenID Connect tokens (access/jwt.cpp)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-16 libclang-rt-16-dev llvm-16  # libFuzzer targets (scripts/fuzz.sh) and their symbolizer
  clang-format-16 clang-tidy-16        # scripts/lint.sh (pinned: another version formats differently)
  python3 python3-pytest python3-pytest-xdist python3-requests python3-yaml python3-cryptography python3-jwt
  python3-rdflib                 # the tests parse the DCAT catalog back (Turtle and JSON-LD)
  wrk nginx-light curl
  chromium fonts-ipafont-gothic  # the web app's browser tests (Playwright drives Debian's Chromium)
)
# The web app is built with npm (web/package-lock.json; Vite needs Node.js >= 20.19). A machine
# that has Node.js already keeps it; otherwise Debian's is installed.
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
