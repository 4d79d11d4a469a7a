"""Seed passages: reading seed files, checking them, suggesting what to label next."""
