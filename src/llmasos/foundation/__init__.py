"""Foundation layer: llama.cpp engine, GGUF files, model store, Hub client, hardware.

Nothing here imports Qt; the import-linter contract in pyproject.toml enforces it.
"""
