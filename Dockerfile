# schema-drift exporter: Node 24 runs the TypeScript sources directly (type stripping), so there is no build stage.
# docker build -t schema-drift . && docker run -v $PWD/schema-drift.yaml:/etc/schema-drift/schema-drift.yaml:ro \
#   -v $PWD/migrations:/migrations:ro -p 9772:9772 schema-drift
FROM node:24-slim

ENV NODE_ENV=production
# V8's young generation kept at 8 MB semi-spaces (default: grows to 64 MB while a check reads a large schema): the
# agent's peak during a 5,000-table check went from 518 to 426 MB (BENCH.md). Override NODE_OPTIONS to change it.
ENV NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app

COPY package.json package-lock.json ./
COPY exporter/package.json exporter/package.json
RUN npm ci --omit=dev --workspace exporter --include-workspace-root=false --no-audit --no-fund \
 && npm cache clean --force

COPY exporter/bin exporter/bin
COPY exporter/src exporter/src
COPY exporter/examples exporter/examples
# The alert runbook, served at /runbook (the rules' runbook_url points there).
COPY docs/runbook.md docs/runbook.md

# Reports and the desired-schema cache; mount a volume here so a restart keeps the history.
RUN mkdir -p /var/lib/schema-drift && chown node:node /var/lib/schema-drift
VOLUME /var/lib/schema-drift
USER node

EXPOSE 9772
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9772/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "/app/exporter/bin/schema-drift.js"]
CMD ["serve", "--config", "/etc/schema-drift/schema-drift.yaml"]
