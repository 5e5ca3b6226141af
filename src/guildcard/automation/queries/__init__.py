"""Reads of the automation context that entry points and other contexts use."""
