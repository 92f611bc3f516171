"""The Comité d'orientation's report packs.

``codes.py`` gives territories their stable codes (T01…) for pseudonymised packs;
``permissions.py`` says who reads and generates them. Gathering, rendering and freezing a
pack come with the pages that use them.
"""
