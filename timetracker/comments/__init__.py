"""Comments on projects between a client's contacts and the staff."""
