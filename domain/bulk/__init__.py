"""Bulk work: imports of CSV or JSON Lines files as background jobs, and streamed exports."""
