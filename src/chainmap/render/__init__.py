"""Faces for people: interactive HTML views and the report page."""
