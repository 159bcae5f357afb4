"""The client's output folder: every file written into a staging folder, then swapped in at once."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path, PurePosixPath

from .brief import is_safe_slug


class UnsafePathError(ValueError):
    """A slug or file path that would land outside the output folder."""


def client_dir(output_dir: Path, slug: str) -> Path:
    """output/<slug>, refusing any slug that could leave output/."""
    if not is_safe_slug(slug):
        raise UnsafePathError(f"slug {slug!r} is not a safe folder name (a-z, 0-9 and '-', at most 20)")
    root = output_dir.resolve()
    target = (root / slug).resolve()
    if target.parent != root:
        raise UnsafePathError(f"slug {slug!r} resolves outside {root}")
    return target


def _safe_relative(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if rel.is_absolute() or not rel.parts or any(part in ("..", "", ".") for part in rel.parts) or "\\" in path:
        raise UnsafePathError(f"file path {path!r} must be relative and stay inside the client folder")
    return rel


def publish_package(output_dir: Path, slug: str, files: dict[str, str | bytes]) -> Path:
    """Write `files` as output/<slug>/, replacing any earlier package whole, never mixing two runs."""
    target = client_dir(output_dir, slug)
    output_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    staging = output_dir / f".staging-{slug}-{token}"
    staging.mkdir()
    try:
        for path, content in sorted(files.items()):
            dest = staging.joinpath(*_safe_relative(path).parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            dest.write_bytes(data)
        # Two renames: the old package steps aside, the new one takes its name. Readers see
        # either the old or the new folder whole (or, for an instant, none), never a mix.
        trash = output_dir / f".old-{slug}-{token}"
        if target.exists():
            os.rename(target, trash)
        os.rename(staging, target)
        shutil.rmtree(trash, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def write_file_atomic(path: Path, content: str | bytes) -> None:
    """Write one file through a temporary name and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    os.replace(tmp, path)
