#!/usr/bin/env bash
# make demo: build the demo repository once, then open it (TUI on a terminal, summary otherwise).
set -euo pipefail
bin=$(cd "$1" && pwd); dir=$2
if [ ! -d "$dir" ]; then
  "$bin/cctk" demo "$dir" --no-tui
fi
cd "$dir"
if [ -t 1 ] && [ -z "${CI:-}" ] && "$bin/python" -c "import textual, tui" 2>/dev/null; then
  exec "$bin/cctk" tui .
fi
"$bin/cctk" ls --status performing --min-amount 50000 | tail -n 1
"$bin/cctk" check || true
