"""Members: identity by phone and one-time code, profile, consents, member code, privacy."""
