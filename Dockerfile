# One image for every Pincer process; docker-compose.yml picks the command per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run generate -w @pincer/db \
 && npx turbo run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PINCER_HOST=0.0.0.0 PINCER_DATA_DIR=/var/lib/pincer
# Chromium for browser steps (found at /usr/bin/chromium).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN useradd --system --uid 10001 --create-home pincer && mkdir -p /var/lib/pincer/artifacts /var/lib/pincer/cache /var/lib/pincer/gateway && chown -R pincer /var/lib/pincer
USER 10001
EXPOSE 3000
CMD ["node", "--import", "tsx", "apps/web/src/server.ts"]
