"""Fakes shipped with the engine so tests run without loading any model."""
