"""Settings: the only reader of the environment and of `.env`.

Built once at the edge (the CLI, the bot's main) and passed down; each component takes only
the section it needs. Every field maps to an environment variable with the `NEWSBOT_` prefix
and `__` between section and field, e.g. `NEWSBOT_EMBEDDING__MODEL`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# How candidate sentences are embedded at question time (see AnswerSettings.reader).
ReaderKind = Literal["stored", "model", "int8"]

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"


class EmbeddingSettings(BaseModel):
    """Which sentence-transformers model turns text into vectors, and how."""

    model: str = PACKAGED_MODEL
    backend: Literal["torch", "torch-int8", "onnx"] = Field(
        default="torch",
        description="torch; torch-int8 (linear layers quantised to int8: faster on CPU, "
        "different vectors, so an archive keeps the backend it was ingested with); onnx",
    )
    batch_size: int = Field(default=128, ge=1)
    device: str = Field(
        default="auto",
        description="where the model runs when it embeds articles: auto (a GPU when torch sees "
        "one, else the CPU), cpu, cuda, cuda:1, mps",
    )
    question_encoder: Literal["numpy", "torch"] = Field(
        default="numpy",
        description="what embeds questions and answer sentences: numpy reads the same model "
        "folder without torch (the same vectors; a first answer seconds sooner), torch loads "
        "sentence-transformers; models numpy cannot read use torch",
    )


class ChromaSettings(BaseModel):
    """Where the vectors live: embedded under the data dir, or a Chroma server."""

    url: str = ""
    auth_token: SecretStr | None = None
    collection: str = "newsbot"
    hnsw_m: int = Field(default=16, ge=4)
    hnsw_construction_ef: int = Field(default=100, ge=10)
    hnsw_search_ef: int = Field(default=100, ge=10)
    retries: int = Field(default=3, ge=0)
    add_batch_size: int = Field(default=1000, ge=1)


class IngestSettings(BaseModel):
    """How articles are split and what the loaders accept."""

    chunk_size: int = Field(default=120, ge=32, description="target words per chunk")
    batch_articles: int = Field(
        default=256,
        ge=1,
        description="articles embedded together (sorted by length, ~1,300 chunks)",
    )
    chunk_overlap: int = Field(default=30, ge=0, description="words shared by neighbouring chunks")
    max_file_mb: float = Field(default=50.0, gt=0)
    fetch_timeout_s: float = Field(default=20.0, gt=0)
    fetch_max_mb: float = Field(default=10.0, gt=0)
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot; archive ingest)"
    syndication_threshold: float = Field(default=0.7, gt=0, le=1)
    two_pass: bool = Field(
        default=True,
        description="embed each article's header and lede first (every article searchable, "
        "every chunk keyword-indexed), then every chunk from its full text",
    )
    lede_words: int = Field(default=40, ge=8, description="words of the lede the first pass embeds")
    second_pass_batch: int = Field(
        default=1024, ge=1, description="chunks the second pass embeds together"
    )


class RetrievalSettings(BaseModel):
    """How many candidates each retriever brings and how they are fused."""

    top_k: int = Field(default=10, ge=1)
    dense_k: int = Field(default=40, ge=1)
    keyword_k: int = Field(default=40, ge=1)
    rrf_k: int = Field(default=60, ge=1)
    exact_window_rows: int = Field(
        default=300_000,
        ge=0,
        description="a date window holding at most this many chunks is scored exactly from the "
        "local vector file; a wider one searches the HNSW index and keeps the in-window hits",
    )
    topic_threshold: float = Field(
        default=0.45,
        gt=0,
        le=1,
        description="a followed topic or a coverage chart counts an article when one of its "
        "chunks is this close (cosine) to the topic, or its headline or a chunk holds every "
        "word of it",
    )
    news_aware: bool = Field(
        default=True,
        description="date windows, timelines and typed short answers (off: the plain extractive answerer without them, for ablations)",
    )


class AnswerSettings(BaseModel):
    """How answers are composed and when the bot says the archive does not hold one."""

    mode: Literal["extractive", "llm"] = "extractive"
    max_sentences: int = Field(default=3, ge=1, le=6)
    typed_support: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="a typed answer may come from a sentence this close to the best",
    )
    relative_support: float = Field(
        default=0.85, gt=0, le=1, description="extra sentences must score this share of the best"
    )
    passages_considered: int = Field(default=6, ge=1)
    reader: ReaderKind = Field(
        default="stored",
        description="how candidate sentences are embedded: `stored`, vectors ingest stored "
        "(its third pass; the rest by the model); `model`, the model at question time; `int8`, "
        "an int8 copy of it (docs/evaluation.md compares them)",
    )
    sentences_read: int = Field(
        default=8,
        ge=1,
        le=64,
        description="candidate sentences embedded per question, lexically strongest first",
    )
    min_support: float = Field(default=0.45, ge=0, le=1)
    min_coverage: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share of the question's rare terms the article must hold",
    )
    abstention: Literal["rules", "calibrated"] = Field(
        default="rules",
        description="rules: fixed thresholds (min_support, min_coverage, every name present); "
        "calibrated: then a fitted decision over the evidence's features may still refuse "
        "(the packaged model, or abstention_model; docs/evaluation.md measures both)",
    )
    abstention_model: Path | None = Field(
        default=None, description="a calibration file written by benchmarks/fit_abstention.py"
    )


class LLMSettings(BaseModel):
    """A local GGUF file or an OpenAI-compatible server, used when answer mode is `llm`."""

    backend: Literal["local", "openai"] = "local"
    model: str = ""
    base_url: str = ""
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    max_tokens: int = Field(default=200, ge=16)
    context_tokens: int = Field(default=2048, ge=512)
    temperature: float = Field(default=0.0, ge=0)
    ask_when_extractive_abstains: bool = Field(
        default=True,
        description="the model reads the passages itself even when the extractive step found "
        "no answer (it may abstain too); false: reply with the extractive abstention",
    )


class TelegramSettings(BaseModel):
    """The Telegram front end: token, Bot API location, who may use it."""

    token: SecretStr | None = None
    api_url: str = "https://api.telegram.org/bot"
    file_url: str = "https://api.telegram.org/file/bot"
    allowed_users: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allowed_chats: Annotated[list[int], NoDecode] = Field(default_factory=list)
    admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None
    questions_per_minute: int = Field(default=10, ge=1)
    max_upload_mb: float = Field(default=20.0, gt=0)
    sync_interval_minutes: int = Field(default=0, ge=0, description="0 = no scheduled sync")
    follow_check_minutes: int = Field(
        default=10,
        ge=0,
        description="how often followed topics are checked for new articles besides after "
        "each sync and upload (catches `newsbot ingest` run from the shell); 0 = only then",
    )
    follow_pushes_per_hour: int = Field(
        default=6, ge=1, description="messages about followed topics a chat gets at most an hour"
    )
    sync_wait_seconds: float = Field(
        default=60.0, ge=0, description="how long a sync waits for a running ingest, then skips"
    )
    upload_wait_seconds: float = Field(
        default=30.0, ge=0, description="how long an upload waits for a running ingest"
    )

    @field_validator("allowed_users", "allowed_chats", "admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `1,2,3` and `[1, 2, 3]` from the environment as well as real lists."""
        if isinstance(value, int):
            return [value]
        if isinstance(value, str):
            text = value.strip().strip("[]")
            return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        return value


class Settings(BaseSettings):
    """Everything newsbot can be told, from `NEWSBOT_*` variables, `.env` or arguments."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Path("newsbot-data")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
