"""Loyalty: earn rules, growth, campaigns and the alliance's points economics."""
