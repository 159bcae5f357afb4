"""The project's Jinja2 environments, each keeping its compiled templates in the cache folder (DEZNITY_CACHE_DIR).

Every client's run is a process of its own, and each compiled the dozen templates it renders (site,
reports, summary, dashboard) from source: about a tenth of a second of CPU per client. Jinja's own
FileSystemBytecodeCache keeps the compiled code, checked against the template's source and the
Python and Jinja versions, and writes each file under a temporary name before renaming it, so
processes starting together are safe. Where the folder cannot be written, templates are compiled
as before.

Jinja keys compiled code by template file only, yet the code depends on the environment's options
(autoescape above all: the same file compiled without it would print client text unescaped). So
each environment keys its files by its name and its options too.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, TemplateError
from jinja2.bccache import Bucket


def _options_fingerprint(options: dict[str, Any]) -> str:
    """The options that shape compiled code, as text: values as they are, functions and classes by name."""

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"

    # The loader is in Jinja's own key already (the template's file name).
    described = {key: plain(value) for key, value in sorted(options.items()) if key != "loader"}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]


class CacheFolderBytecodeCache(BytecodeCache):
    """One environment's compiled templates in the cache folder, found on first use; none where it cannot be written."""

    def __init__(self, namespace: str = "") -> None:
        self._namespace = namespace
        self._files: FileSystemBytecodeCache | None = None
        self._resolved = False
        self._lock = threading.Lock()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key (template name and file), made this environment's own."""
        return super().get_cache_key(f"{self._namespace}|{name}", filename)

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


ENVIRONMENTS: list[Environment] = []


def environment(name: str, **options: Any) -> Environment:
    """The Jinja2 environment `name` with `options`, compiling each template once per machine."""
    cache = CacheFolderBytecodeCache(f"{name}:{_options_fingerprint(options)}")
    env = Environment(bytecode_cache=cache, **options)
    ENVIRONMENTS.append(env)
    return env


def compile_every_template() -> set[str]:
    """Compile every template of the project into the cache folder (the Docker image does it once); their names."""
    # Importing them makes their environments.
    from . import dashboard, reports  # noqa: F401
    from .llm.prompts import prompt_environment
    from .site import render  # noqa: F401

    prompt_environment()
    compiled: set[str] = set()
    for env in ENVIRONMENTS:
        for template in env.list_templates():
            try:
                env.get_template(template)
            except TemplateError:
                continue  # two environments share a folder: this template is the other's (its filters)
            compiled.add(template)
    return compiled
