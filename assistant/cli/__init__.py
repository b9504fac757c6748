"""`quire`: the command line over the engine's ``Session`` (see ``entry`` for the commands)."""

from assistant.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
