"""Email notifications about invoices, sent by background jobs."""
