"""Routers of the JSON API under ``/api/v1``, one module per context."""
