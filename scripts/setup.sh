#!/usr/bin/env bash
# Set-up for a fresh machine: system libraries, the virtual environment, the locked
# Python packages and the project itself. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ldconfig -p | grep -q 'libzbar\.so\.0' || need_apt+=(libzbar0)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "set-up: installing system packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
    echo "set-up: creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi
echo "set-up: installing locked Python packages"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
echo "set-up: done"
