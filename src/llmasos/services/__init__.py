"""Services layer: Qt-free chat, writing and translation built on the engine."""
