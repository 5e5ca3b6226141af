"""The ledger's pure model: units, entries and postings, lots, policies, Merkle proofs."""
