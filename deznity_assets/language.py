"""Which language a text is in, offline: py3langid (langid.py's maintained fork, a 4.5 MB model).

Chosen over lingua-language-detector (a 96 MB wheel) and langdetect (unmaintained, random unless
seeded): pure Python over numpy, which the project already has; about 0.6 s to load the model
once per process, then well under a millisecond per paragraph, the same answer every time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

# The languages a detection chooses among. Sites are English or Spanish; the other large European
# languages are there so that a French or Portuguese text is not forced into one of the two. Not
# all 140 of the model's: with every dialect in play, short Spanish is often read as Aragonese
# or Galician, and short English as Scots.
CANDIDATES = ("en", "es", "fr", "de", "it", "pt")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import LanguageIdentifier

    # The model is loaded once per process (about 75 MB and 0.6 s of CPU, most of it LZMA); each set
    # of languages is an identifier over the same byte automaton with only its languages' columns of
    # the feature table (a few MB), not another copy of the whole model.
    model = _model()
    columns = [i for i, language in enumerate(model.nb_classes) if language in languages]
    return LanguageIdentifier(
        model.nb_ptc[:, columns],
        model.nb_pc[columns],
        [model.nb_classes[i] for i in columns],
        model.tk_nextmove,
        model.tk_output,
        norm_probs=True,
        tk_row=model.tk_row,
    )


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
