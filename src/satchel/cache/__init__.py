"""satchel's cache: one `layout.Cache` value per command, passed explicitly to whatever reads
or writes it, with one table of its versioned folders (`layout.PARTS`); atomic writes and
link-safe removal (`store`), cross-process locks (`lock`), and what `satchel cache` reads and
clears (`manage`). Safe for concurrent processes sharing it.

Import rule: the bottom of the layers; imports nothing from satchel but `satchel.errors` and
`satchel.names`.
"""
