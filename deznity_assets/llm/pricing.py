"""Cost of a call from its token counts: a built-in USD price table, overridable by a JSON file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# USD per million tokens (input, output): public list prices of the roster models on
# OpenRouter and of common OpenAI models. A DEZNITY_LLM_PRICES file overrides any entry.
BUILTIN_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
    "anthropic/claude-3.5-sonnet": (3.00, 15.00),
    "anthropic/claude-3.7-sonnet": (3.00, 15.00),
    "anthropic/claude-sonnet-4": (3.00, 15.00),
    "google/gemini-2.5-flash": (0.30, 2.50),
    "google/gemini-2.5-pro": (1.25, 10.00),
    "google/gemini-flash-1.5": (0.075, 0.30),
}
_SNAPSHOT_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        """USD for that many tokens."""
        return (tokens_in * self.input_per_mtok + tokens_out * self.output_per_mtok) / 1_000_000


class PriceTable:
    """Looks up a model's price: exact id, then without a dated snapshot suffix, then without 'openai/'."""

    def __init__(self, overrides: dict[str, Price] | None = None):
        self.prices: dict[str, Price] = {m: Price(*p) for m, p in BUILTIN_PRICES.items()}
        self.prices.update(overrides or {})

    @classmethod
    def load(cls, path: Path | None) -> PriceTable:
        """The built-in table, overridden by the JSON file at `path` when given."""
        if path is None:
            return cls()
        return cls(read_price_file(path))

    def price_of(self, model: str) -> Price | None:
        """The price of `model`, or None when the table does not know it."""
        for candidate in _candidates(model):
            if candidate in self.prices:
                return self.prices[candidate]
        return None

    def cost(self, model: str, tokens_in: int, tokens_out: int) -> float | None:
        """USD for the tokens, or None for an unknown model."""
        price = self.price_of(model)
        return None if price is None else price.cost(tokens_in, tokens_out)


def read_price_file(path: Path) -> dict[str, Price]:
    """Parse a price file: {"model": {"input_per_mtok": 2.5, "output_per_mtok": 10}}."""
    where = f"DEZNITY_LLM_PRICES file {path}"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{where} does not exist; point DEZNITY_LLM_PRICES at a JSON price table") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not valid JSON ({exc.msg} at line {exc.lineno}); fix the file") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a JSON object of model -> {{input_per_mtok, output_per_mtok}}")
    prices: dict[str, Price] = {}
    for model, entry in data.items():
        try:
            values = (float(entry["input_per_mtok"]), float(entry["output_per_mtok"]))
        except (TypeError, KeyError, ValueError):
            raise ValueError(
                f"{where}: entry {model!r} needs numbers input_per_mtok and output_per_mtok (USD per million tokens)"
            ) from None
        if min(values) < 0:
            raise ValueError(f"{where}: entry {model!r} has a negative price; prices are USD per million tokens")
        prices[model] = Price(*values)
    return prices


def _candidates(model: str) -> list[str]:
    undated = _SNAPSHOT_SUFFIX.sub("", model)
    names = [model, undated]
    for name in (model, undated):
        if name.startswith("openai/"):
            names.append(name.removeprefix("openai/"))
    return names
