"""What happens to cohorts and territories, told to the domains above, which cohorts never imports.

The agenda answers them today (a cohort's timeline, a territory's meetings); suivi,
compétences and évaluation will answer them tomorrow. Receivers run inside the operation's
transaction: they change and flush, never commit, and may refuse by raising ``CohortError``.
"""

from blinker import Namespace

_signals = Namespace()

#: A cohort was created (sender: the Cohort, flushed).
cohort_created = _signals.signal("cohort-created")

#: A cohort's start date or zone is about to change (sender: the Cohort, not yet changed;
#: ``shift_days``, ``to_zone``). A receiver raises ``CohortError`` to refuse.
cohort_rescheduling = _signals.signal("cohort-rescheduling")

#: A cohort's start date or zone may change, once confirmed (sender: the Cohort, unchanged;
#: ``shift_days``, ``to_zone``). A receiver returns a ``core.sections.Section`` showing what
#: would follow (the events that move), or None; it changes nothing.
cohort_reschedule_preview = _signals.signal("cohort-reschedule-preview")

#: A cohort's start date or zone changed (sender: the Cohort; ``shift_days``, ``from_zone``).
cohort_rescheduled = _signals.signal("cohort-rescheduled")

#: A territory was added or changed, its status perhaps (sender: the Territory; ``changed_by``,
#: the User or None).
territory_changed = _signals.signal("territory-changed")

#: Someone is about to leave a cohort (sender: the Membership, still there; ``removed_by``).
#: The domains above release what they hold for them (the agenda cancels their invitations).
member_leaving = _signals.signal("member-leaving")

#: A removal was undone (sender: the new Membership, flushed; ``restored_by``).
member_restored = _signals.signal("member-restored")
