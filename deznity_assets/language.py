"""Which language a text is in, offline: py3langid (langid.py's maintained fork, a 4.5 MB model).

Chosen over lingua-language-detector (a 96 MB wheel) and langdetect (unmaintained, random unless
seeded): pure Python over numpy, which the project already has; well under a millisecond per
paragraph, the same answer every time. Loading the model takes about 0.6 s of CPU, two thirds of it
LZMA: the model is decompressed once per machine into the cache folder (DEZNITY_CACHE_DIR), after which a
process loads it in about 0.1 s (every client's run loads it, in a process of its own).
"""

from __future__ import annotations

import lzma
import os
import shutil
import tempfile
import threading
from array import array
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

# The languages a detection chooses among. Sites are English or Spanish; the other large European
# languages are there so that a French or Portuguese text is not forced into one of the two. Not
# all 140 of the model's: with every dialect in play, short Spanish is often read as Aragonese
# or Galician, and short English as Scots.
CANDIDATES = ("en", "es", "fr", "de", "it", "pt")
_lock = threading.Lock()


def _decompressed_model() -> Path | None:
    """The packaged model decompressed into the cache folder (once); None where it cannot be written."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from .config import cache_folder

    source = MODEL_DIR / MODEL_FILE
    folder = cache_folder()
    if folder is None:
        return None  # another setting is wrong: detection still works, from the packaged model
    # Named by version and size: another py3langid gets a file of its own.
    target = folder / f"py3langid-{version('py3langid')}-{source.stat().st_size}.npz"
    if target.exists():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: processes starting together never read half a file.
        with (
            lzma.open(source) as src,
            tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as out,
        ):
            shutil.copyfileobj(src, out, length=1 << 20)
        os.chmod(out.name, 0o644)  # readable by every user of a shared cache (the Docker image's)
        os.replace(out.name, target)
    except OSError:
        return None
    return target


def _as_array(values: Any) -> array[int]:
    """A numpy integer vector as the stdlib array py3langid walks its automaton over (fastest to index)."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(memoryview(values).cast("B"))  # no intermediate copy of the 39 MB automaton
    return out


def _restricted(model: Any, languages: tuple[str, ...]) -> Any:
    """An identifier choosing among `languages` only: the same byte automaton, their columns of the feature table."""
    from py3langid.langid import LanguageIdentifier

    columns = [i for i, language in enumerate(model.nb_classes) if language in languages]
    return LanguageIdentifier(
        model.nb_ptc[:, columns],  # a copy: the 28 MB table of all 97 languages is not kept
        model.nb_pc[columns],
        [model.nb_classes[i] for i in columns],
        model.tk_nextmove,
        model.tk_output,
        norm_probs=True,
        tk_row=model.tk_row,
    )


def _cached_model(path: Path, languages: tuple[str, ...]) -> Any:
    """The identifier for `languages` read from the decompressed model, one array at a time."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    # The arrays py3langid's own loader reads from the same file (py3langid.modelio.load_model),
    # each converted or cut to the candidates' columns before the next is read: the process never
    # holds the whole model at once.
    with np.load(path, allow_pickle=False) as data:
        classes = data["classes"].tolist()
        columns = [i for i, language in enumerate(classes) if language in languages]
        nextmove = _as_array(data["nextmove"])
        row = _as_array(data["nextmove_row"])
        output = data["out_feat"].tolist()
        ptc, pc = data["ptc"][:, columns], data["pc"][columns]
    return LanguageIdentifier(ptc, pc, [classes[i] for i in columns], nextmove, output, norm_probs=True, tk_row=row)


@lru_cache(maxsize=1)
def _model() -> Any:
    """The identifier for the candidate languages, loaded once per process (about 45 MB, mostly the automaton)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    path = _decompressed_model()
    if path is not None:
        try:
            return _cached_model(path, CANDIDATES)
        except (OSError, KeyError, ValueError):
            pass  # a damaged or differently laid out file: the packaged model below is the truth
    return _restricted(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True), CANDIDATES)


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]) -> Any:
    unknown = sorted(set(languages) - set(CANDIDATES))
    if unknown:
        raise ValueError(f"languages {unknown} are not detected; choose among {', '.join(CANDIDATES)}")
    model = _model()
    return model if languages == CANDIDATES else _restricted(model, languages)


def rank(text: str, languages: tuple[str, ...] = CANDIDATES) -> list[tuple[str, float]]:
    """Every candidate language of `text` with its probability (0-1), most likely first."""
    identifier = _identifier(languages)
    with _lock:  # the identifier keeps scratch arrays between calls: one call at a time
        return [(str(lang), float(p)) for lang, p in identifier.rank(text)]


def detect(text: str, languages: tuple[str, ...] = CANDIDATES) -> tuple[str, float]:
    """The most likely language of `text` among `languages`, with its probability."""
    return rank(text, languages)[0]


def reads_as(text: str, language: str, *, minimum: float = 0.5) -> bool:
    """True when `text` reads as `language` rather than English or Spanish, the site languages."""
    return dict(rank(text, ("en", "es"))).get(language, 0.0) >= minimum
