"""Editor surveys: building, answering, the aggregated report, exports and public briefs."""
