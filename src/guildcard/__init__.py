"""GuildCard: a coalition loyalty platform (异业联盟)."""

__version__ = "0.1.0"
