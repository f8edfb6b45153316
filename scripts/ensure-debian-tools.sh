#!/usr/bin/env bash
# Installs the Debian packages named as arguments when their command is missing: chromium for
# the browser tests (never a browser a test tool downloads), strace for the cold-import test
# (tests/functional/test_cold_import_stack.py).
set -euo pipefail
missing=()
for tool in "$@"; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/bin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian's ${missing[*]} for the tests ..."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
for tool in "${missing[@]}"; do command -v "$tool" >/dev/null; done
