#!/usr/bin/env bash
# Installs the system tools the tests use (curl, Debian's chromium, NSS's certutil, nghttp and
# h2load from nghttp2-client) when they are missing.
# Runs as root on CI; elsewhere it only says what is missing.
set -euo pipefail
need=()
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
command -v nghttp >/dev/null 2>&1 || need+=(nghttp2-client)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing: ${need[*]} (install them with apt-get, as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" ca-certificates fonts-dejavu-core >/dev/null
