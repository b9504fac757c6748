"""Quire's engine: ingest, index, retrieve and answer, headless (never imports Qt)."""

__version__ = "0.1.0"
