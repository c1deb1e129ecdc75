# Cercle in HTTP mode: `docker build -t cercle .` then see compose.yaml (bot + PostgreSQL).
#
# `cercle run` applies the database migrations itself before serving (unless given
# --no-migrate), so a new image upgrades the schema on its first start.

# --- build: install the package and its dependencies into a virtualenv ---------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduled ./scheduled
COPY storage ./storage
COPY sandbox ./sandbox
RUN python -m venv /opt/cercle && /opt/cercle/bin/pip install .

# --- run: the virtualenv only, as an unprivileged user --------------------------------
FROM python:3.11-slim
# MPLCONFIGDIR: Matplotlib (the weekly digest's chart) wants a writable cache directory.
ENV PATH=/opt/cercle/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    PORT=3000
# A fixed numeric id, so an orchestrator can check it is not root (runAsNonRoot).
RUN groupadd --system --gid 10001 cercle \
    && useradd --system --uid 10001 --gid cercle --home-dir /app --shell /usr/sbin/nologin cercle \
    && mkdir -p /app \
    && chown cercle:cercle /app
COPY --from=build /opt/cercle /opt/cercle
# The working directory is where the default SQLite file (cercle.db) would go; with
# compose.yaml the bot uses PostgreSQL instead. No .env is copied in: settings come
# from the environment (compose's env_file).
WORKDIR /app
USER 10001:10001
EXPOSE 3000
# /healthz answers 200 when the database answers, 503 otherwise (urlopen raises on it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# HTTP mode: Slack posts to http(s)://<your host>/slack/events. (Setting SLACK_APP_TOKEN
# switches to Socket Mode, where the port serves /healthz only.)
CMD ["cercle", "run"]
