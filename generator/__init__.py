"""newsarchive: a static-site generator for curated Chinese company-news archives."""

__version__ = "0.2.0"
