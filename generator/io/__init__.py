"""The edges: files, folders, processes and caches on disk."""
