"""Personal-data protection shared by every context: field encryption, keyed look-ups, phones."""
