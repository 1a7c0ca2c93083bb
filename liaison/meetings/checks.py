"""Warnings the admin and the briefings show about a meeting: they never block saving.

- an agenda longer than the meeting;
- an agenda item citing a position that is superseded, withdrawn or past its review date.

Plain functions of what they are given (no Django import), so the pure briefing builder
uses them too.
"""


def position_warning(position, today):
    """Why citing `position` needs care on `today`, or None. Uses `position.successors` when
    prefetched."""
    status = position.policy_status
    if status == position.Status.WITHDRAWN:
        return f"“{position.title}” has been withdrawn."
    successors = [p for p in position.successors.all() if p.live]
    if status == position.Status.SUPERSEDED or successors:
        if successors:
            return f"“{position.title}” is superseded by “{successors[0].title}”."
        return f"“{position.title}” is superseded."
    if position.is_past_review(today):
        return f"“{position.title}” was due for review on {position.review_by:%-d %B %Y}."
    return None


def agenda_overrun(meeting, items):
    """Minutes by which the agenda runs past the end of the meeting (0 if it fits)."""
    planned = sum(item.duration_minutes or 0 for item in items)
    return max(0, planned - meeting.duration_minutes)


def meeting_warnings(meeting, today):
    """Plain sentences for the admin; expects agenda_items and their cited positions."""
    items = list(meeting.agenda_items.all())
    warnings = []
    overrun = agenda_overrun(meeting, items)
    if overrun:
        planned = sum(item.duration_minutes or 0 for item in items)
        warnings.append(
            f"The agenda runs {overrun} minutes over: {planned} minutes of items in a "
            f"{meeting.duration_minutes}-minute meeting."
        )
    for item in items:
        for position in item.cited_positions.all():
            problem = position_warning(position, today)
            if problem:
                warnings.append(f"Agenda item “{item.title}”: {problem}")
    return warnings
