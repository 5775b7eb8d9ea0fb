"""The web portal and JSON API (layer ``web``): :func:`kuva.web.app.create_app`; see docs/api.md."""
