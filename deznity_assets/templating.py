"""The project's Jinja2 environments, sharing one bytecode cache in the cache folder (DEZNITY_CACHE_DIR).

Every client's run is a process of its own, and each compiled the dozen templates it renders (site,
reports, summary, dashboard) from source: about a tenth of a second of CPU per client. Jinja's own
FileSystemBytecodeCache keeps the compiled code, checked against the template's source and the
Python and Jinja versions, and writes each file under a temporary name before renaming it, so
processes starting together are safe. Where the folder cannot be written, templates are compiled
as before.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket


class CacheFolderBytecodeCache(BytecodeCache):
    """Jinja's file bytecode cache in the cache folder, found on first use; no cache where it cannot be written."""

    def __init__(self) -> None:
        self._files: FileSystemBytecodeCache | None = None
        self._resolved = False
        self._lock = threading.Lock()

    def _cache(self) -> FileSystemBytecodeCache | None:
        with self._lock:
            if not self._resolved:
                from .config import cache_folder

                self._resolved = True
                folder = cache_folder()
                if folder is not None:
                    try:
                        (folder / "jinja").mkdir(parents=True, exist_ok=True)
                        self._files = FileSystemBytecodeCache(str(folder / "jinja"))
                    except OSError:
                        self._files = None
            return self._files

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from the cache file, if one matches the template's source."""
        files = self._cache()
        if files is not None:
            try:
                files.load_bytecode(bucket)
            except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
                bucket.reset()  # a file cut short or damaged: compiled again, then rewritten

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the compiled template for the next process; a full or read-only disk only costs the cache."""
        files = self._cache()
        if files is not None:
            try:
                files.dump_bytecode(bucket)
            except OSError:
                pass


BYTECODE_CACHE = CacheFolderBytecodeCache()


def environment(**options: Any) -> Environment:
    """A Jinja2 environment with `options`, compiling each template once per machine (the shared bytecode cache)."""
    return Environment(bytecode_cache=BYTECODE_CACHE, **options)
