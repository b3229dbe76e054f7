"""Apps layer: the Qt windows, the command line and the local API server."""
