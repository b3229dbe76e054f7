"""LLMasOS: an offline desktop assistant on one local GGUF model.

Layers, from the bottom up: ``foundation`` (engine, model files, hub, hardware),
``services`` (Qt-free chat, writing and translation), ``kernel`` (the Qt bridge:
one worker thread and its queue) and ``apps`` (windows, command line, API).
"""

__version__ = "0.1.0"

import logging as _logging

# A library stays quiet unless the app (CLI, GUI) configures logging.
_logging.getLogger("llmasos").addHandler(_logging.NullHandler())
