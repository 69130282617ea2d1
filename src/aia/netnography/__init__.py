"""Netnography (WP4): streaming readers for online-community dumps, a common thread model, filters and sampling."""
