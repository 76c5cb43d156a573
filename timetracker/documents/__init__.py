"""Invoice PDFs and CSV exports."""
