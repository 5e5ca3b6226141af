"""Alliance context: alliances, operators, merchant onboarding, merchants, stores, staff, contracts."""
