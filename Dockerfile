# The bot in a container: the package installed as the README installs it, run by the same
# command, as a user without privileges, with its data in a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md bot.py cli.py ./
COPY knowledge ./knowledge
COPY handlers ./handlers
COPY transports ./transports
COPY runtime ./runtime
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home bot \
    && mkdir /data && chown bot /data

USER bot
VOLUME ["/data"]
EXPOSE 8443

# Webhook mode serves /healthz (503 until Telegram has answered); long polling has no server,
# so there the check passes while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; os.environ.get('BOT_WEBHOOK_URL') and urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('BOT_WEBHOOK_PORT', '8443') + '/healthz', timeout=4)"]

CMD ["python", "bot.py"]
