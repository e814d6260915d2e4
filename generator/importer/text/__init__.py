"""Plain-text pages copied off the web."""
