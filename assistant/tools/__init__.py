"""Typed tools the model can call, the tool loop and the router (see registry.py, loop.py)."""
