#!/usr/bin/env bash
# Opens JupyterLab on notebooks/ with the project's tslab kernel (run `npm run lab`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extra=()
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
export PYDEVD_DISABLE_FILE_VALIDATION=1
exec "$root/.venv/bin/jupyter" lab --ServerApp.root_dir="$root/notebooks" "${extra[@]}" "$@"
