"""Report toolkit: PDF building blocks and charts shared by every domain's reports.

It sits just above ``core`` and knows no domain: each domain gathers its report's data into a
plain object from the database, then draws it with these blocks without touching the database.
"""
