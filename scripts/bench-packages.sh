#!/usr/bin/env bash
# System packages the benchmarks need beyond PyPI: wrk (HTTP load generator, with LuaJIT scripting),
# used by bench/navigator_load.py (`bench/run.py --only load`) to load the navigator through the production servers.
# Installs only what is missing; not needed for the portal or the tests.
set -euo pipefail
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
