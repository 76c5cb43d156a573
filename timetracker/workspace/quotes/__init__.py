"""Quotes on the staff side: everyone on the staff reads; administrators write.

``views.py`` draws the list, a quote with its lines, and the draft's forms; ``actions.py``
sends a quote, prints its PDF, and turns an accepted one into a project or an invoice. The rules
(numbers, totals, states, answers) are in ``timetracker.billing.quotes``, what an accepted quote
becomes in ``timetracker.billing.quote_conversions``; the client's side is
``timetracker.portal.quotes``; ``demo.py`` adds quotes to the demo data.
"""
