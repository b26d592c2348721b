"""Black-box tests of the three starter templates (render, install, serve, call)."""
