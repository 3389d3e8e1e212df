"""协同 Xietong: collaborative supervision of public-resource trading."""

__version__ = "0.1.0"
