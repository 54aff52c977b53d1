"""Find a data file the manifest names, fetch it (pooch) when absent, and verify its SHA-256.

A source file is looked for, in order: where the user points; next to the
manifest (``data/``); in ``$KDE_REPORT_DATA_DIR``; in the download cache
(``$KDE_REPORT_CACHE_DIR``, else pooch's per-user cache), fetched from the
pinned URL when absent. A file with a pinned SHA-256 is verified wherever it
was found, and a copy that does not match is refused, never used.
"""

from collections.abc import Mapping
import hashlib
import logging
import os
from pathlib import Path

import pooch
import requests

from ..errors import DataError
from ..readers import SourceSpec
from .files import open_regular, present, regular_file

__all__ = ["CACHE_DIR_ENV", "DATA_DIR_ENV", "find_source_file", "sha256_of"]

logger = logging.getLogger(__name__)

#: Folder holding local copies of the manifest's files (tests and CI set it).
DATA_DIR_ENV = "KDE_REPORT_DATA_DIR"
#: Folder for downloaded files; pooch's per-user cache when unset.
CACHE_DIR_ENV = "KDE_REPORT_CACHE_DIR"
#: Most data sets made of a file's columns when no ``--column`` chooses them. Every data set gets a


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a regular file, read in blocks."""
    digest = hashlib.sha256()
    with open_regular(path) as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, source: SourceSpec) -> Path:
    """``path`` if it has the pinned hash (or none is pinned), else a DataError."""
    if source.sha256 is None:
        logger.info("%s: no SHA-256 pinned for source '%s'; used as found", path, source.id)
        return path
    found = sha256_of(path)
    if found != source.sha256:
        raise DataError(
            f"{path}: SHA-256 mismatch for source '{source.id}': expected {source.sha256}, found {found}; "
            "restore the pinned file, or give an edited copy a new name to analyse it as a new file"
        )
    return path


class _HashingDownloader:
    """pooch's downloader for the URL, remembering the SHA-256 of what arrived.

    pooch deletes a download whose hash does not match; recording the hash
    first lets the error name what was actually served.
    """

    def __init__(self, url: str) -> None:
        self._download = pooch.downloaders.choose_downloader(url, progressbar=False)
        self.sha256: str | None = None

    def __call__(self, url: str, output_file: str, pooch_object: object, check_only: bool = False) -> object:
        result = self._download(url, output_file, pooch_object, check_only=check_only)
        if not check_only:
            self.sha256 = sha256_of(Path(output_file))
        return result


def _download(source: SourceSpec, cache_dir: Path, looked: list[str]) -> Path:
    """Fetch ``source.url`` into ``cache_dir`` (or reuse a verified cached copy)."""
    assert source.url is not None and source.sha256 is not None  # parse_manifest requires both
    if present(cache_dir / source.file):
        regular_file(cache_dir / source.file)  # pooch would hash a pipe or device here and hang
    downloader = _HashingDownloader(source.url)
    try:
        fetched = pooch.retrieve(
            source.url,
            known_hash=f"sha256:{source.sha256}",
            fname=source.file,
            path=cache_dir,
            downloader=downloader,
            progressbar=False,
        )
    except requests.exceptions.RequestException as exc:
        raise DataError(
            f"{source.file}: not found in {', '.join(looked)}, and downloading it from {source.url} "
            f"failed: {exc}; put a copy in one of those folders or check the network"
        ) from None
    except ValueError as exc:
        if downloader.sha256 is not None and downloader.sha256 != source.sha256:
            raise DataError(
                f"{source.url}: downloaded {source.file} has the wrong SHA-256: expected {source.sha256}, "
                f"found {downloader.sha256}; the download was deleted and nothing was cached"
            ) from None
        raise DataError(f"{source.file}: cannot download from {source.url}: {exc}") from None
    if downloader.sha256 is None:
        logger.info("%s: using the cached copy %s", source.file, fetched)
    else:
        logger.info("%s: downloaded from %s to %s", source.file, source.url, fetched)
    return _verified(Path(fetched), source)


def _cache_dir(env: Mapping[str, str]) -> Path:
    configured = env.get(CACHE_DIR_ENV)
    return Path(configured) if configured else Path(pooch.os_cache("stellar-age-kde-report"))


def find_source_file(
    source: SourceSpec,
    *,
    manifest_dir: Path,
    explicit: Path | None = None,
    env: Mapping[str, str] = os.environ,
) -> Path:
    """Locate a verified copy of ``source.file``, downloading it if needed.

    Parameters
    ----------
    source : SourceSpec
        The manifest's entry for the file.
    manifest_dir : Path
        Folder of the manifest (``data/``), searched first.
    explicit : Path, optional
        A path the user gave; when set, only this file is used.
    env : mapping
        Environment holding ``KDE_REPORT_DATA_DIR`` and ``KDE_REPORT_CACHE_DIR``.

    Raises
    ------
    DataError
        When no copy is found and none can be downloaded (naming where it
        looked and the URL), or when a copy's SHA-256 differs from the pinned
        one (naming the file, the expected and the found hash).
    """
    if explicit is not None:
        regular_file(explicit)
        logger.info("%s: using %s as given", source.file, explicit)
        return _verified(explicit, source)
    folders = [manifest_dir]
    if env.get(DATA_DIR_ENV):
        folders.append(Path(env[DATA_DIR_ENV]))
    for folder in folders:
        candidate = folder / source.file
        if present(candidate):
            regular_file(candidate)  # a folder, pipe, device or broken link there is refused, not skipped
            logger.info("%s: found in %s", source.file, folder)
            return _verified(candidate, source)
    looked = [str(folder) for folder in folders]
    if source.url is None:
        raise DataError(
            f"{source.file}: not found in {', '.join(looked)}, and source '{source.id}' gives no URL; "
            f"put the file next to the manifest or set {DATA_DIR_ENV}"
        )
    return _download(source, _cache_dir(env), looked)
