"""Qt windows. Only the GUI thread touches widgets."""
