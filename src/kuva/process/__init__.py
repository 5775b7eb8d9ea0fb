"""Service-process monitoring (layer ``process``): the client event log in (format, validation,
pseudonymisation, OCEL 2.0/XES), the service-model rulebooks, and the milestone KPIs, referral
routes and data-quality checks as Ibis expressions over the stored log. See docs/process.md.
"""
