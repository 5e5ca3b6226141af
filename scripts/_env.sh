# Sourced by scripts/run and scripts/test: a pinned uv in .tools/, the locked deps in .venv/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export UV_PYTHON_DOWNLOADS=never   # use the machine's Python >= 3.11, never fetch one
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"  # trust the machine's certificate store (proxies, private CAs)
UV_VERSION=0.13.9
if command -v uv >/dev/null 2>&1 && [ "$(uv --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
  UV=uv
else
  if [ ! -x .tools/bin/uv ]; then
    echo "· installing uv $UV_VERSION into .tools/" >&2
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  UV=.tools/bin/uv
fi
export UV
