"""Command-line entry point (Typer): thin commands, no business rules."""
