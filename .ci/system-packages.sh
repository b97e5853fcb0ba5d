# Source me: Debian packages the test suite needs beyond what the machine ships.
# Idempotent and quiet: installs only what is missing, as root (or with passwordless sudo),
# never reading standard input; apt's output is shown only when it fails.
#   chromium         the browser packages/e2e drives through playwright-core (/usr/bin/chromium)
#   nginx-light      the local ingress (one origin for the web client and both services)
#   fonts-liberation text in Chromium's screenshots of failed browser tests
#   prometheus       for promtool: the metrics lint and the alert-rule check (its daemon is not started)
#   pgbouncer        the fault suite runs the user sync through it in transaction mode (its own
#                    private instance; the Debian service is never started, see policy-rc.d below)
#   redis-server     also started in cluster mode by `pnpm test:cluster` (redis-cli --cluster)
# kubectl, for `kubectl kustomize` in packages/e2e, comes with the machine image (no Debian or
# npm package provides kustomize); the deploy checks fail with a clear message without it.
_am_missing=""
command -v chromium >/dev/null 2>&1 || _am_missing="$_am_missing chromium"
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || _am_missing="$_am_missing nginx-light"
[ -d /usr/share/fonts/truetype/liberation ] || _am_missing="$_am_missing fonts-liberation"
command -v promtool >/dev/null 2>&1 || _am_missing="$_am_missing prometheus"
[ -x /usr/sbin/pgbouncer ] || _am_missing="$_am_missing pgbouncer"
{ command -v redis-server && command -v redis-cli; } >/dev/null 2>&1 || _am_missing="$_am_missing redis-server"
if [ -n "$_am_missing" ]; then
  echo "system-packages: installing$_am_missing" >&2
  _am_sudo=""
  [ "$(id -u)" = "0" ] || _am_sudo="sudo -n"
  # Without a policy-rc.d, installing nginx, prometheus or pgbouncer would start it as a daemon.
  _am_policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $_am_sudo tee /usr/sbin/policy-rc.d >/dev/null && $_am_sudo chmod +x /usr/sbin/policy-rc.d && _am_policy_added=1
  fi
  _am_log="$(mktemp)"
  # shellcheck disable=SC2086 # the package list is meant to split
  if ! { $_am_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && $_am_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $_am_missing; } \
      >"$_am_log" 2>&1 </dev/null; then
    cat "$_am_log" >&2
    echo "system-packages: apt-get failed for$_am_missing" >&2
    _am_failed=1
  fi
  [ -z "$_am_policy_added" ] || $_am_sudo rm -f /usr/sbin/policy-rc.d
  rm -f "$_am_log"
  unset _am_sudo _am_policy_added _am_log
  if [ -n "${_am_failed:-}" ]; then
    unset _am_failed _am_missing
    return 1 2>/dev/null || exit 1
  fi
fi
unset _am_missing
