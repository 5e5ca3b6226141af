"""The ``guildcard demo`` story: a seeded shopping-district alliance, built through the services."""
