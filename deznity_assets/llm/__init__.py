"""Real LLM agents behind the AgentProvider interface (OpenAI, OpenRouter, OpenAI-compatible servers)."""
