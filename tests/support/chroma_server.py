"""A real Chroma server for tests: `chroma run` on 127.0.0.1, a free port and a temp dir.

The `chroma` command ships with the chromadb package, next to the venv's python. The server
is ready when its heartbeat (`/api/v2/heartbeat`, Chroma 1.x) answers 200.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

HEARTBEAT = "/api/v2/heartbeat"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chroma_executable() -> Path:
    """The `chroma` CLI of this environment (beside sys.executable, else on PATH)."""
    beside = Path(sys.executable).with_name("chroma")
    if beside.is_file():
        return beside
    found = shutil.which("chroma")
    if found is None:
        raise FileNotFoundError("the `chroma` command is missing: pip install chromadb")
    return Path(found)


def heartbeat_ok(url: str, timeout: float = 1.0) -> bool:
    """True when the server at `url` answers its heartbeat."""
    try:
        with urllib.request.urlopen(url + HEARTBEAT, timeout=timeout) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port N` as a child process."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = path.parent / f"{path.name}-chroma.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait for its heartbeat; the log tail explains a failure."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting for it to serve."""
        self.path.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    str(chroma_executable()),
                    "run",
                    "--path",
                    str(self.path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for the heartbeat; stop the server and raise with its log tail if none comes."""
        if self._process is None:
            raise RuntimeError("launch() the server first")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"chroma run exited early:\n{self._log_tail()}")
            if heartbeat_ok(self.url):
                return
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"chroma run gave no heartbeat in {timeout:.0f}s:\n{self._log_tail()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL the server, as a crash or an OOM kill would: no clean shutdown."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> ChromaServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
