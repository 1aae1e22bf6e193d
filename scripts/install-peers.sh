#!/usr/bin/env bash
# Installs the SMPP peers that the interoperability tests of
# internal/gateway/smpp run against, non-interactively; safe to re-run:
#   perl  Debian's libnet-smpp-perl (Net::SMPP)
#   node  node and npm if missing, then the pinned npm package "smpp"
#         (npm ci in internal/gateway/smpp/testdata/node)
#   smsactivate  node and npm if missing, then the pinned npm package
#         "sms-activate", a public SMS-Activate client library that
#         e2e/smsactivate_test.go runs (npm ci in e2e/testdata/sms-activate)
#   curl  the client the proxy front's tests drive (internal/proxy/front)
#   chromium  the browser the web site's tests drive (e2e/browser_test.go)
#   python  Debian's python3-requests, for the Python quick start of
#         docs/clients.md that e2e/quickstart_test.go runs
# Usage: scripts/install-peers.sh [perl] [node] [smsactivate] [curl] [chromium] [python]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  # A stale package list is the usual reason an install fails: refresh once.
  "${sudo[@]}" apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q "$@" >/dev/null; }
}

install_perl() {
  if perl -MNet::SMPP -MJSON::PP -MEncode -e 1 2>/dev/null; then return; fi
  echo "installing libnet-smpp-perl" >&2
  apt_install libnet-smpp-perl
  perl -MNet::SMPP -e 1
}

need_npm() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "installing nodejs and npm" >&2
    apt_install nodejs npm
  fi
}

install_node() {
  need_npm
  npm ci --no-audit --no-fund --loglevel=error --prefix internal/gateway/smpp/testdata/node
}

install_smsactivate() {
  need_npm
  npm ci --no-audit --no-fund --loglevel=error --prefix e2e/testdata/sms-activate
}

install_curl() {
  command -v curl >/dev/null || { echo "installing curl" >&2; apt_install curl; }
}

install_chromium() {
  command -v chromium >/dev/null || { echo "installing chromium" >&2; apt_install chromium; }
  chromium --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1
}

install_python() {
  # A python3 that imports requests: the one on PATH, else Debian's, which
  # python3-requests is for (the test looks for them in the same order).
  local py
  for py in python3 /usr/bin/python3; do
    if "$py" -c 'import requests' 2>/dev/null; then return; fi
  done
  echo "installing python3-requests" >&2
  apt_install python3 python3-requests
  /usr/bin/python3 -c 'import requests'
}

if [ $# -eq 0 ]; then set -- perl node smsactivate curl chromium python; fi
for peer in "$@"; do
  case "$peer" in
    perl) install_perl ;;
    node) install_node ;;
    smsactivate) install_smsactivate ;;
    curl) install_curl ;;
    chromium) install_chromium ;;
    python) install_python ;;
    *) echo "unknown peer $peer (perl, node, smsactivate, curl, chromium or python)" >&2; exit 2 ;;
  esac
done
