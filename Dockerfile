# syntax=docker/dockerfile:1
# voicebot engine image. Build: docker build -t voicebot .
# Run:   docker run -p 8080:8080 -e VOICEBOT_TOKEN_SECRET=... voicebot
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Toolchain only for native addons (better-sqlite3) in this stage; it does not reach the runtime image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# Speech and media tools the embedded engines use (TTS, prompt import, ASR fallback).
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox ffmpeg pocketsphinx pocketsphinx-en-us tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    VOICEBOT_HOST=0.0.0.0 \
    VOICEBOT_PORT=8080 \
    VOICEBOT_MODELS_DIR=/models
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY engine ./engine
COPY telephony ./telephony
COPY asr-tts ./asr-tts
COPY dialogs ./dialogs
COPY fixtures ./fixtures
RUN useradd --system --uid 10001 --home /app voicebot && mkdir -p /models /var/lib/voicebot \
 && chown voicebot /var/lib/voicebot
USER voicebot
EXPOSE 8080 5060/udp
VOLUME ["/models", "/var/lib/voicebot"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.VOICEBOT_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/voicebot.mjs"]
CMD ["serve"]
