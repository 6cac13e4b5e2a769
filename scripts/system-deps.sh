#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those missing. Runs as root in CI;
# elsewhere it prints what to install and carries on (tests that need a missing tool fail
# with a message naming it).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have curl || need+=(curl)
# Tunnel tests: the real OpenSSH client against an in-process server and a loopback sshd.
have ssh || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# Tunnel tests: the npm localtunnel client (a distribution's nodejs ships npm with it).
have npm || need+=(nodejs npm)

install_apt() {
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: missing ${need[*]}; install them with: sudo apt-get install ${need[*]}" >&2
    return 0
  fi
  echo "system-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # openssh-server must not start a daemon on :22: the tests run their own on 127.0.0.1.
  local policy=/usr/sbin/policy-rc.d saved="" status=0
  if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || status=$?
  if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
  return "$status"
}
if [ ${#need[@]} -gt 0 ]; then install_apt; fi

# The localtunnel client, pinned, into a git-ignored folder the tests look in.
lt_prefix=build/test-tools/localtunnel
if [ ! -x "$lt_prefix/node_modules/.bin/lt" ]; then
  if have npm; then
    echo "system-deps: installing localtunnel@2.0.2 into $lt_prefix" >&2
    npm install --prefix "$lt_prefix" --no-audit --no-fund --loglevel=error \
      localtunnel@2.0.2 >/dev/null ||
      echo "system-deps: npm install localtunnel@2.0.2 failed; its tunnel test will say so" >&2
  else
    echo "system-deps: npm is missing, so localtunnel@2.0.2 is not installed" >&2
  fi
fi
