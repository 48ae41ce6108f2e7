# syntax=docker/dockerfile:1
# ttb-verifier-server: the HTTP API (see server/openapi.json), with Tesseract and its English data.
# Build:  docker build -t ttb-verifier .        Run: docker-compose up -d (docker-compose.yml)

# ---- build: the server binary only (the desktop app is a default feature the server turns off)
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        pkg-config libclang-dev libtesseract-dev libleptonica-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p ttb-verifier-server \
    && cp target/release/ttb-verifier-server /usr/local/bin/ttb-verifier-server

# ---- runtime: Tesseract's libraries and English data, nothing to build with
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libtesseract5 liblept5 tesseract-ocr-eng ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 verifier \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home verifier \
    && mkdir -p /data \
    && chown verifier:verifier /data
COPY --from=build /usr/local/bin/ttb-verifier-server /usr/local/bin/ttb-verifier-server

# Tesseract's OpenMP threads over-subscribe small machines (6-10x slower measured on 2 cores);
# parallelism comes from one engine per worker (TTB_WORKERS). libgomp reads this at load time.
ENV OMP_THREAD_LIMIT=1 \
    TTB_LISTEN=0.0.0.0:8000 \
    TTB_DATA_DIR=/data \
    LOG_LEVEL=info

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

# 200 when healthy or degraded (Ollama missing), 503 when Tesseract cannot start. The binary
# asks /health itself, so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["ttb-verifier-server", "healthcheck"]

# SIGTERM (docker stop) finishes requests in flight before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["ttb-verifier-server"]
