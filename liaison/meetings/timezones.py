"""Turn a wall-clock time typed for a meeting into an exact instant, refusing times that
do not exist in the zone and asking which one is meant when a time happens twice; and the
zones a meeting form offers, labelled with their offset and found by what a person types."""

import collections
import datetime
import functools
import importlib.resources
import pathlib
import re
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


# The zones a meeting form offers. tzdata's zone.tab lists one zone per country and region
# (Europe/Amsterdam, Asia/Kolkata, Europe/Kyiv) and none of its backward links (US/Eastern,
# Asia/Calcutta, W-SU, Etc/GMT+5) nor oddities such as Factory and localtime.
AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def _zone_tab():
    """The text of zone.tab: the pinned tzdata package's, else the system's."""
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    for directory in zoneinfo.TZPATH:
        path = pathlib.Path(directory, "zone.tab")
        if path.is_file():
            return path.read_text()
    return ""


@functools.cache
def canonical_zones():
    """UTC, then the zones of the main areas, grouped by area and sorted by name."""
    available = zoneinfo.available_timezones()
    listed = {
        line.split("\t")[2].strip()
        for line in _zone_tab().splitlines()
        if line.count("\t") >= 2 and not line.startswith("#")
    }
    # Without a zone.tab the areas still keep out US/Eastern, W-SU, Etc/* and Factory.
    zones = (listed & available) or available
    return ("UTC", *sorted(n for n in zones if "/" in n and n.split("/")[0] in AREAS))


def _offset(moment):
    minutes = int(moment.utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_label(name, at):
    """'Asia/Tokyo (UTC+09:00)', 'America/New York (UTC-04:00)': the offset at `at`."""
    if name == "UTC":
        return name
    try:
        offset = _offset(at.astimezone(zoneinfo.ZoneInfo(name)))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name
    return f"{name.replace('_', ' ')} ({offset})"


def _key(text):
    return " ".join(text.replace("_", " ").split()).casefold()


@functools.cache
def _zone_index():
    """Each canonical zone under its full name, and under its city when no other zone has a
    city of that name, as a person would type them."""
    zones = canonical_zones()
    cities = collections.Counter(_key(name.rsplit("/", 1)[-1]) for name in zones)
    index = {_key(name.rsplit("/", 1)[-1]): name for name in zones}
    index = {city: name for city, name in index.items() if cities[city] == 1}
    index.update({_key(name): name for name in zones})
    return index


def find_zone(text, also=()):
    """The zone that `text` names: a zone offered (canonical, or one of `also`, kept for a
    meeting that already has it) by its name or its label, or a canonical zone by its city
    ("tokyo", "New York"). None if it names none."""
    text = text.strip()
    if text in also or text in canonical_zones():
        return text
    text = re.sub(r"\s*\(UTC[+-]\d\d:\d\d\)$", "", text)  # a label copied whole
    key = _key(text)
    for name in also:
        if _key(name) == key:
            return name
    return _zone_index().get(key)


def abbreviation(moment):
    """EDT, JST; zones without a usual abbreviation (tzdata writes "+04") as UTC+04."""
    name = moment.tzname()
    return f"UTC{name}" if name[:1] in "+-" else name


def local_time_text(instant, zone):
    """'10 Jun 2026, 10:00 JST': `instant` on the clocks of `zone`."""
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    local = instant.astimezone(zone)
    return f"{local:%-d %b %Y, %H:%M} {abbreviation(local)}"
