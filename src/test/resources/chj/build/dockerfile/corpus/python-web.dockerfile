# A typical two-stage Python web service.
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /venv \
    # install into the venv, not the system
    && /venv/bin/pip install -r requirements.txt

FROM python:${PYTHON_VERSION}-slim
LABEL org.opencontainers.image.title="web" \
      org.opencontainers.image.source="https://example.com/web" \
      maintainer="ops@example.com"
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
RUN groupadd --system app && useradd --system --gid app --home /app app
COPY --from=builder /venv /venv
COPY --chown=app:app src/ /app/
WORKDIR /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
STOPSIGNAL SIGINT
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:wsgi"]
