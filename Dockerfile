# Mamori hub image: slim Python, a non-root user, `mamori serve` as the entrypoint.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY api ./api
COPY schemas ./schemas
COPY connectors ./connectors
COPY alembic ./alembic
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --system --create-home --home-dir /var/lib/mamori mamori
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER mamori
WORKDIR /var/lib/mamori
ENV MAMORI_DATA_DIR=/var/lib/mamori/.mamori \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["mamori"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
