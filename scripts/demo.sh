#!/usr/bin/env bash
# The one-command demo: installs what is missing, starts the engine on a free loopback port and
# places a voice-order call with the simulated caller, printing the timeline. Options go to `voicebot demo`
# (--scenario voice-order|human|skeleton, --protocol raw|twilio, --out DIR, --record PATH, --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/voicebot.mjs demo "$@"
