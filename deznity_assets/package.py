"""The client's output folder: every file written into a staging folder, then swapped in at once."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .brief import is_safe_slug

if TYPE_CHECKING:
    from upath import UPath

_TOKEN = re.compile(r"[0-9a-f]{12}")


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


def _leftovers(output_dir: Path, kind: str, slug: str) -> dict[str, Path]:
    """`.old-<slug>-<token>` or `.staging-<slug>-<token>` folders of this slug, by token."""
    found = {}
    prefix = f".{kind}-{slug}-"
    for path in output_dir.glob(f"{prefix}*"):
        token = path.name[len(prefix) :]
        # The exact token shape keeps slug "a" from taking the leftovers of slug "a-b".
        if _TOKEN.fullmatch(token) and path.is_dir():
            found[token] = path
    return found


def recover_package(output_dir: Path, slug: str) -> Path | None:
    """Finish or undo a publish of `slug` that a crash interrupted; returns the package folder, if any.

    Call only when no run is publishing this client (the claim makes one run per client). A crash
    between the two renames leaves `.old-*` beside a complete `.staging-*` of the same token and no
    package: the staging folder is swapped in. A crash while staging leaves only `.staging-*`,
    which is half-written and removed.
    """
    target = client_dir(output_dir, slug)
    if not output_dir.is_dir():
        return None
    olds = _leftovers(output_dir, "old", slug)
    stagings = _leftovers(output_dir, "staging", slug)
    for token, old in sorted(olds.items(), key=lambda item: item[1].stat().st_mtime, reverse=True):
        if not target.exists():
            # The staging folder of the same token was complete: renames start after the last write.
            os.rename(stagings.pop(token) if token in stagings else old, target)
        shutil.rmtree(old, ignore_errors=True)
    for staging in stagings.values():
        shutil.rmtree(staging, ignore_errors=True)
    return target if target.exists() else None


def publish_package(output_dir: Path, slug: str, files: dict[str, str | bytes]) -> Path:
    """Write `files` as output/<slug>/, replacing any earlier package whole, never mixing two runs."""
    target = client_dir(output_dir, slug)
    output_dir.mkdir(parents=True, exist_ok=True)
    recover_package(output_dir, slug)
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


# Written last in a copy, so a reader that sees the new summary sees the whole new package.
_LAST = "BOOTSTRAP_SUMMARY.md"


def mirror_package(root: UPath, slug: str, files: dict[str, str | bytes]) -> UPath:
    """Copy a package to `root`/<slug>/ (a folder or an object-storage prefix), then drop files it no longer has."""
    if not is_safe_slug(slug):
        raise UnsafePathError(f"slug {slug!r} is not a safe folder name (a-z, 0-9 and '-', at most 20)")
    target = root / slug
    local = target.protocol in ("", "file", "local")
    # Object stores have no rename: each object is replaced whole, the summary last; files of
    # the previous package that this one lacks are removed after.
    for path, content in sorted(files.items(), key=lambda item: (item[0] == _LAST, item[0])):
        dest = target.joinpath(*_safe_relative(path).parts)
        if local:
            dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    kept = {str(_safe_relative(path)) for path in files}
    stale = [p for p in target.rglob("*") if p.is_file() and p.relative_to(target).as_posix() not in kept]
    for old in stale:
        old.unlink()
    return target


def write_file_atomic(path: Path, content: str | bytes) -> None:
    """Write one file through a temporary name and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    os.replace(tmp, path)
