"""tsunagari — software for Japan's loneliness and isolation countermeasures."""

__version__ = "0.1.0"
