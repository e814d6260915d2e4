"""HTML pages: the element tree, blocks, container, body, byline, figures, head."""
