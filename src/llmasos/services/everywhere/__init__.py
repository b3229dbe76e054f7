"""LLMasOS everywhere, without Qt: the single-instance protocol and the action prompts."""
