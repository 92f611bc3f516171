"""Personal data (RGPD): « Mes données », erasure on request, retention and the privacy notice.

It sits with the application layer because it reads and erases what every domain holds about
a person.
"""
