"""The landing page and the health check."""
