#!/usr/bin/env bash
# Set up baocao on a fresh Debian/Ubuntu machine with Python 3.11.
#
#   bash setup.sh          runtime: system packages + .venv with baocao
#   bash setup.sh --test   the same plus what the test suite needs
#
# System packages (listed in scripts/apt-runtime.txt and scripts/apt-test.txt)
# are installed with apt-get when the machine allows it (root, apt present);
# otherwise the features that need them report a clear error when used.
# Set BAOCAO_SKIP_APT=1 to skip that step.
set -euo pipefail
cd "$(dirname "$0")"

mode=runtime
[ "${1:-}" = "--test" ] && mode=test

apt_lists=(scripts/apt-runtime.txt)
[ "$mode" = test ] && apt_lists+=(scripts/apt-test.txt)

wanted=()
for list in "${apt_lists[@]}"; do
    [ -f "$list" ] || continue
    while read -r pkg _; do
        case "$pkg" in ""|\#*) continue ;; esac
        dpkg -s "$pkg" >/dev/null 2>&1 || wanted+=("$pkg")
    done < "$list"
done

if [ "${#wanted[@]}" -gt 0 ] && [ "${BAOCAO_SKIP_APT:-0}" != 1 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "setup: installing system packages: ${wanted[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
        apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
    else
        echo "setup: not root or no apt-get; skipping system packages: ${wanted[*]}" >&2
        echo "setup: the features that need them will report how to enable them" >&2
    fi
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$mode" = test ]; then
    .venv/bin/python -m pip install -q -e ".[test]"
else
    .venv/bin/python -m pip install -q -e .
fi
echo "setup: ready ($mode): $(.venv/bin/baocao --version)"
