"""Support navigator: leads a person in distress to the right help, crisis lines first.

``crisis`` is the pure crisis-detection module (no Django); the navigator's pages build on it.
"""
