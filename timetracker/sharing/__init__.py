"""Documents shared with a client: uploads, versions, downloads, storage."""
