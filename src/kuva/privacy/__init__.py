"""Disclosure control and pseudonymisation.

``kuva.privacy.pseudonym`` is a leaf (it imports only :mod:`kuva.config` and
:mod:`kuva.errors`), so source adapters and the simulator may use it to pseudonymise person
data before anything is stored.
"""
