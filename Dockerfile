# syntax=docker/dockerfile:1
# Asterisk AI voice agent. Build: docker compose build   Run: docker compose up -d   (see README "Docker")

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied; we build explicitly below.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies only, non-root ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
COPY contexts ./contexts
COPY dialplan ./dialplan
# data/ holds call records and the email spool; the compose file mounts ./data here.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# The health listener (http.host/http.port in the config; 127.0.0.1:15000 by default, host networking).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:15000/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts a graceful drain (shutdown.drain_timeout_s); node runs as PID 1 and handles it itself.
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli.js", "start"]
