"""Loaders per format that turn files into pages with page numbers, and chunking."""
