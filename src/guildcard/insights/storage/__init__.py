"""The insights context's storage: rollups, reported daily totals, the refresh cursor."""
