"""Calendar feeds: a per-person secret ICS address with invoice due dates and quote expiries."""
