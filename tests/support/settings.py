"""Settings for tests: built directly, never read from the environment or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.settings import EmbeddingSettings, Settings


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: everything under `data_dir`, no .env, deterministic embedder."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "embedding": EmbeddingSettings(model="deterministic:256"),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
