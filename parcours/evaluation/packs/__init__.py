"""The Comité d'orientation's report packs, in two steps and then frozen.

``gather.py`` reads the database into a plain :class:`~gather.PackData` (a constant number of
queries); ``render.py`` lays it out as PDF bytes, full or pseudonymised, without touching the
database; ``operations.py`` freezes one generated version (both PDFs, the JSON snapshot, the
SHA-256s); ``codes.py`` gives territories their stable codes (T01…) for pseudonymised packs.
"""
