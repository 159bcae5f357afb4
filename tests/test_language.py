"""Language detection: the model decompressed once into the cache folder gives py3langid's own answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from deznity_assets import language

TEXTS = (
    "Hola, somos una panadería familiar en Madrid y horneamos pan cada mañana.",
    "We bake fresh bread every morning for the neighbourhood in Austin.",
    "Nous sommes une boulangerie à Paris.",
    "Wir sind eine Bäckerei in Berlin.",
    "Reserva tu mesa",
    "",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DEZNITY_CACHE_DIR", str(tmp_path / "deznity"))
    language._model.cache_clear()
    language._identifier.cache_clear()
    yield tmp_path / "deznity"
    language._model.cache_clear()
    language._identifier.cache_clear()


def _official(languages: tuple[str, ...]) -> list[list[tuple[str, float]]]:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return [[(lang, round(p, 6)) for lang, p in identifier.rank(text)] for text in TEXTS]


def _ours(languages: tuple[str, ...]) -> list[list[tuple[str, float]]]:
    return [[(lang, round(p, 6)) for lang, p in language.rank(text, languages)] for text in TEXTS]


def test_the_cached_model_ranks_as_py3langid_does(cache: Path) -> None:
    assert _ours(language.CANDIDATES) == _official(language.CANDIDATES)
    [cached] = cache.glob("py3langid-*.npz")
    assert not list(cache.glob("*.tmp"))
    # A second process (here: a cleared cache) reads the file instead of decompressing again.
    language._model.cache_clear()
    language._identifier.cache_clear()
    before = cached.stat().st_mtime_ns
    assert _ours(("en", "es")) == _official(("en", "es"))
    assert cached.stat().st_mtime_ns == before
    top, probability = language.detect(TEXTS[0])
    assert (top, round(probability, 6)) == _official(language.CANDIDATES)[0][0]
    assert top == "es"
    assert language.reads_as(TEXTS[1], "en") and not language.reads_as(TEXTS[1], "es")


def test_a_damaged_cache_file_falls_back_to_the_packaged_model(cache: Path) -> None:
    language._model()
    [cached] = cache.glob("py3langid-*.npz")
    cached.write_bytes(b"not a model")
    language._model.cache_clear()
    language._identifier.cache_clear()
    assert _ours(language.CANDIDATES) == _official(language.CANDIDATES)


def test_an_unwritable_cache_folder_falls_back_to_the_packaged_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("DEZNITY_CACHE_DIR", str(blocker / "deznity"))
    language._model.cache_clear()
    language._identifier.cache_clear()
    try:
        assert _ours(language.CANDIDATES) == _official(language.CANDIDATES)
    finally:
        language._model.cache_clear()
        language._identifier.cache_clear()


def test_a_language_outside_the_candidates_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"\['nl'\] are not detected; choose among en, es"):
        language.rank("Wij zijn een bakkerij", ("en", "nl"))
