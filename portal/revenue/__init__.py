"""Revenue data: organisation revenue profiles, their import, and exchange rates."""
