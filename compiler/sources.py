"""The pinned editions of PS3.15 and how to obtain their XML, always checking the SHA-256.

A file comes from the local cache, a local mirror folder (``--mirror`` or the environment
variable ``DEIDENTIFY_STANDARD_MIRROR``) or the edition's official URL, in that order; the
URL only when the caller allows a download (the test suite never does).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import CompileError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / "standard" / "manifest.toml"
CACHE = PROJECT_ROOT / ".cache" / "standard"
MIRROR_VARIABLE = "DEIDENTIFY_STANDARD_MIRROR"
DOWNLOAD_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class PinnedEdition:
    """One manifest entry: an edition, its official URL and the SHA-256 of its XML."""

    name: str
    url: str
    sha256: str

    @property
    def file_name(self) -> str:
        """The name the file has in a mirror and in the cache."""
        return f"part15-{self.name}.xml"


def load_manifest(path: Path = MANIFEST) -> tuple[PinnedEdition, ...]:
    """The manifest's editions, oldest first (the last is the default)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = data["edition"]
        editions = tuple(
            PinnedEdition(str(e["name"]), str(e["url"]), str(e["sha256"]).lower())
            for e in entries
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise CompileError(f"{path}: not a valid edition manifest ({error})") from error
    if not editions:
        raise CompileError(f"{path}: lists no edition")
    return editions


def find_pinned(name: str, manifest: tuple[PinnedEdition, ...]) -> PinnedEdition:
    """The manifest entry for an edition name."""
    for pinned in manifest:
        if pinned.name == name:
            return pinned
    known = ", ".join(p.name for p in manifest)
    raise CompileError(f"edition {name!r} is not in {MANIFEST.name} (known: {known})")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as error:
        raise CompileError(f"{path}: cannot be read ({error.strerror})") from error
    return digest.hexdigest()


def mirror_from_environment() -> Path | None:
    """The mirror folder named by ``DEIDENTIFY_STANDARD_MIRROR``, if set."""
    value = os.environ.get(MIRROR_VARIABLE)
    return Path(value) if value else None


def obtain(
    pinned: PinnedEdition, mirror: Path | None = None, cache: Path = CACHE, *,
    download: bool = True,
) -> Path:
    """The verified XML of an edition in the cache, fetched from the mirror or the URL if needed.

    With ``download`` off, an edition in neither the cache nor the mirror is a CompileError
    at once, saying where it was looked for; nothing reaches the network.
    """
    cached = cache / pinned.file_name
    if cached.is_file() and sha256_of(cached) == pinned.sha256:
        return cached
    mirror = mirror or mirror_from_environment()
    if not download and (mirror is None or not (mirror / pinned.file_name).is_file()):
        where = f"the mirror {mirror}" if mirror else f"no mirror ({MIRROR_VARIABLE} unset)"
        raise CompileError(
            f"{pinned.file_name} is in neither the cache {cache} nor {where}; not downloaded"
        )
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache, prefix=".fetch-", delete=False) as partial:
        partial_path = Path(partial.name)
    try:
        if mirror is not None and (mirror / pinned.file_name).is_file():
            origin = str(mirror / pinned.file_name)
            shutil.copyfile(mirror / pinned.file_name, partial_path)
        else:
            origin = pinned.url
            _download(pinned.url, partial_path)
        actual = sha256_of(partial_path)
        if actual != pinned.sha256:
            raise CompileError(
                f"{origin}: SHA-256 {actual} does not match the pinned {pinned.sha256}"
                f" for edition {pinned.name}"
            )
        partial_path.replace(cached)
    finally:
        partial_path.unlink(missing_ok=True)
    return cached


def _download(url: str, target: Path) -> None:
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
            target.open("wb") as out,
        ):
            shutil.copyfileobj(response, out)
    except OSError as error:
        raise CompileError(
            f"{url}: download failed ({error}); set {MIRROR_VARIABLE} to a folder of XML files"
        ) from error
