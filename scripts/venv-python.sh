#!/usr/bin/env bash
# Prints the Python 3.11 interpreter the virtualenv is made from (the Makefile's PYTHON; override
# with `make PYTHON=/path/to/python3.11`).
#
# Debian's own /usr/bin/python3.11 comes first when it can make a virtualenv (python3.11-venv): a
# statically linked interpreter built with Debian's optimisations. On 2026-11-23 the navigator's
# benchmark turns took 0.65-0.68 ms of CPU each on it, replayed in one process, against 0.80-0.88 ms
# on pyenv's 3.11.7 (configured without --enable-optimizations, with --enable-shared), and 1.56-1.69
# against 1.80-1.89 ms of server CPU per turn under gunicorn at 800 turns/s (alternating runs; see
# BENCHMARKS.md, "Navigator under load", notes). Otherwise python3.11, then python3, from PATH.
set -euo pipefail
for candidate in /usr/bin/python3.11 "$(command -v python3.11 || true)" "$(command -v python3 || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c "import ensurepip, sys; sys.exit(sys.version_info[:2] != (3, 11))" 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo "no Python 3.11 able to make a virtualenv (install python3.11 and python3.11-venv)" >&2
exit 1
