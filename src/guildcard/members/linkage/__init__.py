"""Record linkage of people (Fellegi–Sunter with splink on DuckDB): who is the same person twice."""
