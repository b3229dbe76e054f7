"""Kernel layer: the Qt bridge (one worker thread owning the engine, one request queue)."""
