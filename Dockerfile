FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY estation ./estation
COPY indexing ./indexing
COPY fixtures ./fixtures
RUN pip install .
# The API documentation's pages (/docs, /redoc) are served from files a dependency ships: fail the build without them.
RUN python -c "from estation.apidocs import ASSETS_DIR as d; assert all((d / f).is_file() for f in ('swagger-ui-bundle.js', 'swagger-ui.css', 'redoc.standalone.js'))"
# A real instance: the dev keys are refused and demo-only routes do not exist (ESTATION_DEMO stays false).
# Set ESTATION_DATA_KEY; ESTATION_ADMIN_USERNAME / ESTATION_ADMIN_PASSWORD for the
# first start (init creates that admin once and is a no-op afterwards). Never `estation demo` here.
ENV ESTATION_ENVIRONMENT=production
EXPOSE 8000
CMD ["sh", "-c", "estation migrate && estation init && estation index rebuild && estation serve --host 0.0.0.0"]
