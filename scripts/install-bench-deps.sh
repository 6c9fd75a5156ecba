#!/usr/bin/env bash
# Installs the load-test tools the macro benchmarks use (wrk, nginx + stream module, socat,
# taskset) when they are missing.
# Runs as root (CI, containers); elsewhere it prints the apt-get line to run and exits 1.
set -euo pipefail
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# nginx-light is enough (core HTTP, no extra modules); any nginx on PATH or in /usr/sbin will do.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then need+=(nginx-light); fi
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
# The forward benchmark compares with socat and nginx's stream module.
command -v socat >/dev/null 2>&1 || need+=(socat)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: missing ${need[*]}; install them as root:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Debian's nginx postinst starts a system nginx on :80; the benchmarks run their own copy from a
# temp prefix, so keep services from starting during this install (policy-rc.d exit 101 = deny).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
if ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
  # Some releases ship only the plain nginx package.
  fallback=("${need[@]/nginx-light/nginx}")
  apt-get install -y -qq --no-install-recommends "${fallback[@]}" >/dev/null
fi
