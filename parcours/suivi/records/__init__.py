"""Follow-up records (comptes rendus de suivi): what was said with a territory, and who reads it.

A coach (or a coordinator) writes one record per follow-up or bilatérale meeting, or for an
unplanned call. Each block (agenda, notes, decisions) says who reads it, « accompagnement
uniquement » or « partagé avec le binôme »; the coach's own notes are always team-only, and
``FollowUpRecord.blocks(team=…)`` is the one place that drops what the binôme may not read.
Action items (``suivi.actions``) end the record; « prochain rendez-vous » creates or links the
next follow-up in the agenda. Records are edited under optimistic locking, deleted softly
(a coordinator restores them) and kept as drafts when a session expires mid-sentence.
"""
