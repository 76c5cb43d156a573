"""Insight into projects: budget alerts (:mod:`.alerts`) and the demo's project near its budget
(:mod:`.demo`). The burn-down itself is computed in :mod:`timetracker.billing.forecast`."""
