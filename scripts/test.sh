#!/usr/bin/env bash
# Set up everything the tests need (a JDK for the Frida JVM test bed, Chromium for the HTML report,
# PostgreSQL's server binaries for the shared store's tests, the Python packages) and run them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v javac >/dev/null 2>&1; then
  echo "installing a JDK (default-jdk-headless) for the jvm:android test bed" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jdk-headless >/dev/null
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium (Debian's chromium) for the HTML report tests in a headless browser" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  # only the binaries: the tests start a private cluster of their own (tests/pgcluster.py), no system service
  echo "installing PostgreSQL (Debian's postgresql) for the shared capture store's tests" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[frida,android,ios,dev,fleet]'
.venv/bin/ruff check harness tests
.venv/bin/mypy harness
exec .venv/bin/python -m pytest -n 2 "$@"
