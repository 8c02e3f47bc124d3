#!/usr/bin/env bash
# Installs the real Gearman peers the tests run against, and Chromium for the dashboard test (Debian bookworm, as root). Idempotent and quiet.
set -euo pipefail

apt_packages=(gearman-job-server gearman-tools php-cli php-gearman libgearman-client-perl chromium openssl)
pip_packages=(gear gearman3)

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Don't let the package start a system gearmand on port 4730.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
for package in "${pip_packages[@]}"; do
  python3 -m pip show -q "$package" >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check "$package"
done
# A gearmand started as a service by an earlier install would hold port 4730.
if command -v systemctl >/dev/null 2>&1; then systemctl stop gearman-job-server >/dev/null 2>&1 || true; fi
pkill -x gearmand >/dev/null 2>&1 || true
