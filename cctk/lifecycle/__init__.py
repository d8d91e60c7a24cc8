"""Lifecycle actions: each edits the record, checks the move, and makes one git commit."""
