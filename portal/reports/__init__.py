"""The vendor report: ranked, revenue-weighted requirement summaries and their exports."""
