"""The Jinja2 bytecode cache in the cache folder: templates compiled once per machine, never served stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from deznity_assets.templating import CacheFolderBytecodeCache, compile_every_template, environment


def _env(templates: Path) -> Environment:
    return Environment(loader=FileSystemLoader(templates), bytecode_cache=CacheFolderBytecodeCache())


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEZNITY_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "hello.txt.j2").write_text("Hello {{ name }}!")
    return folder


def _compiles(env: Environment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    original = env.compile

    def counting(source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(str(name))
        return original(source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(env, "compile", counting)
    return compiled


def test_a_template_is_compiled_once_then_read_from_the_cache_folder(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _env(templates)
    compiled = _compiles(first, monkeypatch)
    assert first.get_template("hello.txt.j2").render(name="Ana") == "Hello Ana!"
    assert compiled == ["hello.txt.j2"]
    assert list((tmp_path / "cache" / "jinja").glob("*.cache"))

    second = _env(templates)  # as a new process would: nothing in memory
    compiled = _compiles(second, monkeypatch)
    assert second.get_template("hello.txt.j2").render(name="Luis") == "Hello Luis!"
    assert compiled == []


def test_a_changed_template_is_compiled_again(templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _env(templates).get_template("hello.txt.j2").render(name="Ana") == "Hello Ana!"
    (templates / "hello.txt.j2").write_text("Hola {{ name }}.")
    env = _env(templates)
    compiled = _compiles(env, monkeypatch)
    assert env.get_template("hello.txt.j2").render(name="Ana") == "Hola Ana."
    assert compiled == ["hello.txt.j2"]


def test_environments_with_other_options_never_share_compiled_code(
    templates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (templates / "page.html.j2").write_text("<p>{{ text }}</p>")
    client_text = "<script>alert(1)</script>"
    for _ in range(2):  # the second round reads both from the cache
        escaped = environment("site", loader=FileSystemLoader(templates), autoescape=True)
        raw = environment("site", loader=FileSystemLoader(templates), autoescape=False)
        assert escaped.get_template("page.html.j2").render(text=client_text) == (
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
        )
        assert raw.get_template("page.html.j2").render(text=client_text) == f"<p>{client_text}</p>"
    # Jinja's own key is the file alone: the two would have shared one compiled template.
    assert len(list((templates.parent / "cache" / "jinja").glob("*.cache"))) == 2


def test_an_unwritable_or_damaged_cache_still_renders(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("DEZNITY_CACHE_DIR", str(blocker / "deznity"))
    assert _env(templates).get_template("hello.txt.j2").render(name="Ana") == "Hello Ana!"

    monkeypatch.setenv("DEZNITY_CACHE_DIR", str(tmp_path / "cache"))
    assert _env(templates).get_template("hello.txt.j2").render(name="Ana") == "Hello Ana!"
    for cached in (tmp_path / "cache" / "jinja").glob("*.cache"):
        cached.write_bytes(cached.read_bytes()[:20])  # cut short, as by a full disk
    assert _env(templates).get_template("hello.txt.j2").render(name="Eva") == "Hello Eva!"


def test_the_project_templates_render_the_same_from_the_cache(tmp_path: Path) -> None:
    # Two fresh processes render a client's site: the second reads every template from the cache.
    probe = (
        "import hashlib, json, sys\n"
        "from jinja2 import Environment\n"
        "compiled = []\n"
        "original = Environment.compile\n"
        "def counting(self, source, name=None, *a, **k):\n"
        "    compiled.append(name)\n"
        "    return original(self, source, name, *a, **k)\n"
        "Environment.compile = counting\n"
        "from tests.plugins.site_fixtures import build_inputs, reference_brief\n"
        "site = build_inputs(reference_brief('techstart')).render()\n"
        "digest = hashlib.sha256(json.dumps(site.files, sort_keys=True, default=str).encode()).hexdigest()\n"
        "print(json.dumps({'compiled': len(compiled), 'digest': digest}))\n"
    )
    env = {**os.environ, "DEZNITY_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(Path.cwd())}
    runs = [
        subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in runs)
    assert first["compiled"] > 3
    assert second["compiled"] == 0
    assert first["digest"] == second["digest"]


def test_every_project_template_compiles_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEZNITY_CACHE_DIR", str(tmp_path / "cache"))
    package = Path(__file__).resolve().parents[1] / "deznity_assets"
    shipped = {p.name for folder in ("templates", "site/templates", "prompts") for p in (package / folder).glob("*.j2")}
    assert len(shipped) > 20
    # Every shipped template compiles in the environment that renders it.
    assert compile_every_template() >= shipped
