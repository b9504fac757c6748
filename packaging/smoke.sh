#!/usr/bin/env bash
# Smoke test of the built app with networking disabled: `make package-smoke` runs it.
#
#   packaging/smoke.sh [DIST_DIR] [smoke.py options]     (DIST_DIR defaults to dist/Quire)
#
# The test itself is packaging/smoke.py, run by the system's python3 (never .venv) inside a
# fresh network namespace, so only a loopback that is down exists: any attempt to reach the
# network fails instead of silently succeeding. Root uses `unshare -n`; other users get an
# unprivileged user+network namespace (`unshare -rn`) where the kernel allows it. Where
# neither works the test refuses to run, unless QUIRE_SMOKE_ALLOW_NETWORK=1 says to go on
# without that guarantee. The environment is emptied (env -i) so nothing from the build
# (PYTHONPATH, VIRTUAL_ENV, QUIRE_*) can leak in.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dist="${1:-$here/../dist/Quire}"
[ $# -gt 0 ] && shift
if [ ! -x "$dist/quire" ] || [ ! -x "$dist/quire-desktop" ]; then
    echo "smoke: no built app in $dist (run: make package)" >&2
    exit 2
fi
dist="$(cd "$dist" && pwd)"
python="$(PATH=/usr/bin:/bin command -v python3)"
report="${QUIRE_SMOKE_REPORT:-$here/../dist/smoke-report.json}"
clean_env=(env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent)
args=("$here/smoke.py" "$dist" --report "$report" "$@")

if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
    echo "smoke: network namespace (unshare -n)"
    exec unshare -n "${clean_env[@]}" "$python" "${args[@]}"
elif unshare -rn true 2>/dev/null; then
    echo "smoke: user + network namespace (unshare -rn)"
    exec unshare -rn "${clean_env[@]}" "$python" "${args[@]}"
elif [ "${QUIRE_SMOKE_ALLOW_NETWORK:-0}" = 1 ]; then
    echo "smoke: WARNING: no network namespace available; running with the network up" >&2
    exec "${clean_env[@]}" "$python" "${args[@]}" --network allowed
else
    echo "smoke: cannot disable the network here (no unshare -n / -rn); set QUIRE_SMOKE_ALLOW_NETWORK=1 to run anyway" >&2
    exit 2
fi
