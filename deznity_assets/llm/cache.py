"""A content-addressed on-disk cache of validated LLM answers, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from upath import UPath


def cache_key(**parts: Any) -> str:
    """sha256 of the request's identifying parts, serialised canonically."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Maps a request key to {"content": <validated JSON text>, "usage": {...}}; one file per key."""

    def __init__(self, directory: Path | UPath | None):
        # A UPath (an s3:// prefix) stays one: the cache is then shared by every run that reaches it.
        self.directory = directory if isinstance(directory, UPath) or directory is None else Path(directory)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when DEZNITY_LLM_CACHE=off."""
        return self.directory is not None

    def path_for(self, key: str) -> Path | UPath:
        """Where the entry for `key` lives (two-level fan-out keeps folders small)."""
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry, or None (a miss); unreadable entries count as misses."""
        if self.directory is None:
            return None
        try:
            entry = json.loads(self.path_for(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            entry = None
        if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
            entry = None
        self.record(hit=entry is not None)
        return entry

    def record(self, *, hit: bool) -> None:
        """Count a hit or a miss (also used when a stored entry fails validation)."""
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def forget_hit(self) -> None:
        """Turn the last counted hit into a miss: its entry no longer validates."""
        with self._lock:
            self.hits -= 1
            self.misses += 1

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store `entry` under `key`: write a temp file in the same folder, then rename over."""
        if self.directory is None:
            return
        target = self.path_for(key)
        if isinstance(target, UPath) and target.protocol not in ("", "file", "local"):
            # An object is written whole or not at all: no temporary file and rename.
            target.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
            return
        target = Path(str(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle, ensure_ascii=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
