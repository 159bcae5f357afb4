"""The OpenAI account, shared by the agents (provider openai) and the vector memory (embeddings)."""

from __future__ import annotations

import dagster as dg

from ..config import secret_value, setting


class OpenAIResource(dg.ConfigurableResource):
    """An OpenAI API key and endpoint; the key is only ever an environment variable's name here."""

    api_key: str | None = setting(
        "OPENAI_API_KEY", None, "OpenAI key (agents with provider openai; embeddings)", secret="always"
    )
    base_url: str | None = setting(
        "OPENAI_BASE_URL", None, "OpenAI endpoint; default https://api.openai.com/v1", secret="credentials"
    )

    def key(self) -> str | None:
        """The key's value, read where it is used."""
        return secret_value(self.api_key)

    def url(self) -> str | None:
        """The endpoint's value, read where it is used."""
        return secret_value(self.base_url)
