"""Action items: what to do after a follow-up or a field visit, who does it, by when.

Records (``suivi.records``) and visit reports (``suivi.visits``) embed the same rows of
items in their forms and show them the same way. What they use, kept stable:

- ``forms``: :class:`~.forms.ActionRowForm` (one item), :func:`~.forms.action_rows` (the
  ``FieldList`` a parent form declares), :func:`~.forms.prepare_rows` (owner choices and blank
  rows, after building the form), :func:`~.forms.fill_rows` (a GET of an existing parent),
  :func:`~.forms.typed_rows` (what to hand to ``sync_items``).
- ``operations``: :class:`~.operations.ActionRow`, :class:`~.operations.ActionError`,
  :func:`~.operations.sync_items` ``(parent, rows, *, territory, user)``,
  :func:`~.operations.tick` and :func:`~.operations.untick` ``(item, user)``. They flush and
  never commit; the owner of a new item (or the new owner of one) is told by e-mail.
- ``queries``: :func:`~.queries.open_items_of_territory`, :func:`~.queries.open_items_of_owner`,
  :func:`~.queries.overdue_items`, :func:`~.queries.counts_by_territory`,
  :func:`~.queries.possible_owners`, :func:`~.queries.local_today`.
- ``notifications``: the owner's e-mail and the weekly digest of late items
  (:func:`~.notifications.send_weekly_digest`, run by ``jobs.send_action_digest``).
- Templates: ``suivi/actions/_items.html`` (macro ``action_items``: the list with its tick
  buttons) and ``suivi/actions/_rows.html`` (macro ``action_rows``: the form's rows).
- Routes: ``suivi.tick_action_item`` and ``suivi.untick_action_item`` (POST, a ``next`` field
  says where to come back).

Items of a deleted record or report are hidden everywhere (lists, digest, ticking).
"""
