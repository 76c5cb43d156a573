"""Administration: users and settings."""
