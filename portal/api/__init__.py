"""The JSON API for the vendor's own tools: bearer tokens, requirements and the vendor report."""
