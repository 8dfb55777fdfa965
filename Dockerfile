FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY estation ./estation
COPY indexing ./indexing
COPY fixtures ./fixtures
RUN pip install .
EXPOSE 8000
CMD ["sh", "-c", "estation migrate && estation demo && estation index rebuild && estation serve --host 0.0.0.0"]
