"""The client portal: a read-only view of one client's projects, invoices and time."""
