"""Bridges between contexts: each implements a port one context defines, using another context."""
