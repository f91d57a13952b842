# The archive service: `archive db upgrade`, then `archive serve`, as scripts/serve does without the venv.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# exiftool reads photos' embedded metadata (EXIF, IPTC, XMP) in the extraction workers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libimage-exiftool-perl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY archive ./archive
COPY migrations ./migrations
RUN pip install . && useradd --system --uid 10001 --home-dir /data --create-home archive

USER archive
WORKDIR /data
# The embedded default keeps its database and blobs under /data; mount a volume there, or point
# ARCHIVE_DATABASE_URL and ARCHIVE_STORAGE_URL at PostgreSQL and S3.
VOLUME ["/data"]
ENV ARCHIVE_HOST=0.0.0.0 \
    ARCHIVE_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["sh", "-c", "archive db upgrade && exec archive serve"]
