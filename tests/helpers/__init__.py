"""Shared test helpers: the real test models, malformed GGUF files, a fake Hub, an
OpenAI-compatible stub. The root conftest registers the fixture modules through
``pytest_plugins``; tests import the rest as ``from helpers import models``."""
