"""Turn a wall-clock time typed for a meeting into an exact instant, refusing times that
do not exist in the zone and asking which one is meant when a time happens twice."""

import datetime
import zoneinfo

EARLIER, LATER = "earlier", "later"


class NonexistentTime(ValueError):
    pass


class AmbiguousTime(ValueError):
    pass


def make_aware(local, zone, occurrence=None):
    """Return the instant (in UTC) that `local`, a naive wall-clock time in `zone`, names.

    :param occurrence: EARLIER or LATER, needed only when the clocks go back and the
        time happens twice; otherwise AmbiguousTime is raised.
    Raise NonexistentTime for a time skipped when the clocks go forward.
    """
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    # A skipped time does not survive a round trip through UTC.
    if first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentTime(
            f"{local:%d %b %Y %H:%M} does not exist in {zone.key}: the clocks go forward then."
        )
    if first.utcoffset() != second.utcoffset():
        # Returned in UTC: an ambiguous local datetime never compares equal across zones
        # (PEP 495), and UTC is what the database stores anyway.
        if occurrence == EARLIER:
            return first.astimezone(datetime.UTC)
        if occurrence == LATER:
            return second.astimezone(datetime.UTC)
        raise AmbiguousTime(
            f"{local:%d %b %Y %H:%M} happens twice in {zone.key} as the clocks go back; "
            "say whether you mean the earlier or the later one."
        )
    return first.astimezone(datetime.UTC)
