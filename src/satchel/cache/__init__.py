"""satchel's one cache directory: versioned buckets, atomic writes, safe for concurrent processes.

Import rule: imports nothing from satchel but `satchel.errors`.
"""
