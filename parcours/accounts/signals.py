"""What accounts tell the domains above them, which it never imports."""

from blinker import Namespace

_signals = Namespace()

#: A person's account was created (sender: the User, flushed, with its id).
user_created = _signals.signal("user-created")
