#!/usr/bin/env bash
# Installs everything voicebot needs on a Debian/Ubuntu machine: the system packages its real
# peers and speech engines use (idempotent: only what is missing), then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(sox libsox-fmt-all espeak-ng ffmpeg sip-tester baresip pocketsphinx-en-us python3-pocketsphinx)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root or install them yourself)" >&2
    exit 1
  fi
  SUDO=$([[ $(id -u) -eq 0 ]] && echo "" || echo sudo)
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# PostgreSQL: the campaign store's tests use the local server (DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/test). Start it if it is installed but not running.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    echo "setup: starting PostgreSQL"
    for version in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
  fi
fi
