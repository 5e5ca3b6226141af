"""The alliance context's pure domain: no framework, no database."""
