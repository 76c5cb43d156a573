"""Webhooks: signed notices of events sent to the HTTPS endpoints administrators register.

The parts, each a module: :mod:`.events` (what happened: one delivery row per subscribed
endpoint, in the caller's transaction), :mod:`.payloads` (the JSON bodies), :mod:`.signing`
(the ``Webhook-*`` headers), :mod:`.addresses` (which URLs may be called: HTTPS, public hosts),
:mod:`.transport` (one POST), :mod:`.delivery` (attempts, back-off, disabling), :mod:`.jobs`
(RQ or inline, and the sweep), :mod:`.endpoints` (the administrators' operations) and
:mod:`.views` (their pages). docs/webhooks.md is the receivers' side.
"""
