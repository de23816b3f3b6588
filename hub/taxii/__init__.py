"""TAXII 2.1 protocol logic with no web or database dependency: queries, cursors, media types."""
