"""JSON API entry point (FastAPI): thin routes, no business rules."""
