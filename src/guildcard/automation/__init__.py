"""Automation: the outbox's consumers (webhooks, later rules and messages) and the worker that runs them."""
