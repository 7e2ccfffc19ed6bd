#!/usr/bin/env bash
# Set-up for a fresh machine: system libraries, the virtual environment, the locked
# Python packages and the project itself. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ldconfig -p | grep -q 'libzbar\.so\.0' || need_apt+=(libzbar0)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
# Local Spark (the spark target, tests/spark/) runs on Java 17 or newer.
java_major=0
if command -v java >/dev/null; then
    java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
fi
if [ "${java_major:-0}" -lt 17 ]; then
    need_apt+=(openjdk-17-jre-headless)
fi
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
# pip warns about every package index location configured on the machine but absent;
# keep its real messages, drop that noise.
pip_install() {
    .venv/bin/python -m pip install -q "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    return "${PIPESTATUS[0]}"
}
echo "set-up: installing locked Python packages"
pip_install --upgrade pip
pip_install -r requirements.lock
pip_install --no-deps -e .
echo "set-up: done"
