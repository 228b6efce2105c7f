#!/usr/bin/env bash
# Idempotent: creates .venv with JupyterLab, plotly (its JupyterLab renderer), nbclient and Jupyter Book,
# and installs a tslab kernel spec into it that runs this checkout's node_modules/.bin/tslab.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
stamp="$venv/.igr-setup"
tslab="$root/node_modules/.bin/tslab"

if [ ! -x "$tslab" ]; then
  echo "setup-jupyter: $tslab is missing; run 'npm install' in $root first" >&2
  exit 1
fi
python="${PYTHON:-$(command -v python3 || true)}"
if [ -z "$python" ]; then
  echo "setup-jupyter: no python3 found. Install Python 3 (Debian: apt-get install -y python3 python3-venv) or set PYTHON=/path/to/python3" >&2
  exit 1
fi

want="$(cat requirements-jupyter.txt; echo "$tslab")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/jupyter" ]; then
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" >/tmp/igr-venv.log 2>&1; then
    rm -rf "$venv"
    echo "setup-jupyter: '$python -m venv' failed (see /tmp/igr-venv.log)." >&2
    echo "  Debian/Ubuntu: apt-get install -y python3-venv; elsewhere install a Python 3 with the venv module." >&2
    exit 1
  fi
fi
echo "setup-jupyter: installing JupyterLab, plotly, nbclient and Jupyter Book into .venv (once)" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-jupyter.txt
"$tslab" install --python="$venv/bin/python" --sys-prefix --binary="$tslab" >/dev/null
test -f "$venv/share/jupyter/kernels/tslab/kernel.json" || {
  echo "setup-jupyter: the tslab kernel spec was not written into $venv/share/jupyter/kernels" >&2
  exit 1
}
echo "$want" > "$stamp"
echo "setup-jupyter: ready (kernel 'tslab' -> $tslab)" >&2
