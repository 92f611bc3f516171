"""Attendance (émargement): who was there, per half-day, and the papers that prove it."""
