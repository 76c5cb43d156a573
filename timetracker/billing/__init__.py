"""Billing and time: the one home of the rules every screen, document and API shares.

* :mod:`.rules`        pure arithmetic: hours from seconds, the value of time, lines, tax
* :mod:`.expressions`  the same rules as SQL expressions: what is billable, rates, values
* :mod:`.states`       invoice states and the filters built on them, in SQL and Python
* :mod:`.periods`      date ranges in the firm's timezone
* :mod:`.invoicing`    numbering, drafts, lines, sending, payments, cancelling
* :mod:`.from_time`    a draft invoice from unbilled billable time
* :mod:`.project_status` the current status update of projects

``docs/billing.md`` states the rules in words. This package imports nothing at import time, so
the models can use :mod:`.rules` without a cycle.
"""
