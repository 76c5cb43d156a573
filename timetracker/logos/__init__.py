"""Logos: the firm's (invoices, workspace) and each client's (its portal).

An upload is checked from its content (:mod:`.validation`), kept in the database
(:class:`timetracker.models.Logo`) by :mod:`.operations`, and served by :mod:`.views`.
"""
