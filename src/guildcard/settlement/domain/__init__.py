"""Settlement's pure domain: periods, contract terms, pricing of statement lines."""
