"""The Chinese lunisolar calendar, computed from the Sun and the Moon: solar terms and lunar months.

Only what the statutory holidays need: the date of a solar term (清明) and the Gregorian date of a
lunar month's day (正月初一, 五月初五, 八月十五) and of 除夕. Dates are China Standard Time
(UTC+8), as GB/T 33661-2017《农历的编算和颁行》 prescribes.

How
    * The Sun's apparent longitude: J. Meeus, *Astronomical Algorithms* (2nd ed.), ch. 25, the
      "lower accuracy" theory (about 0.01°, so a solar term's instant to within ~15 minutes).
    * New moons: Meeus ch. 49 (periodic terms and the 14 planetary arguments; within a minute).
    * ΔT (TT − UT): the Espenak–Meeus polynomials.
    * Months (GB/T 33661): a month runs from the day of a new moon to the day before the next;
      the month containing the winter solstice (冬至) is the 11th; when 13 new moons start between
      two 11th months, the first month of those without a principal term (中气) is the leap month
      and repeats the previous month's number.

Checked (tests/services/test_lunisolar.py) against the holidays of every official calendar
chinesecalendar holds (2008–2026: 春节, 清明, 端午, 中秋 fall on holidays of that name), Meeus's
worked examples, and the published dates of 2027–2035.

A day on which a solar term or a new moon falls within minutes of midnight can in principle come
out one day off; that is why this module only serves the *provisional* calendar, which the official
one replaces as soon as it is published (see resources/calendar/README.md).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import cache

#: China Standard Time: the zone the calendar's dates are counted in (GB/T 33661-2017).
_CST = timedelta(hours=8)
_J2000 = 2451545.0
_UNIX_EPOCH_JD = 2440587.5

#: The years this module answers for (ΔT is extrapolated beyond ~2050; keep a sane bound).
FIRST_YEAR = 1901
LAST_YEAR = 2199

#: Sun's apparent longitude of the solar terms the holidays use.
QINGMING_LONGITUDE = 15.0
WINTER_SOLSTICE_LONGITUDE = 270.0


class OutOfRange(ValueError):
    """A year this module does not compute."""


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"the lunisolar calendar is computed for {FIRST_YEAR}–{LAST_YEAR}, not {year}")


# --- time scales -------------------------------------------------------------------------------


def _jd(moment: datetime) -> float:
    """Julian day (UT) of an aware datetime."""
    return moment.timestamp() / 86400.0 + _UNIX_EPOCH_JD


def _moment(jd_ut: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=jd_ut - _UNIX_EPOCH_JD)


def delta_t(year: float) -> float:
    """TT − UT in seconds (Espenak & Meeus, NASA eclipse site polynomials)."""
    y = year
    if y < 1920:
        t = y - 1900
        return -2.79 + 1.494119 * t - 0.0598939 * t**2 + 0.0061966 * t**3 - 0.000197 * t**4
    if y < 1941:
        t = y - 1920
        return 21.20 + 0.84493 * t - 0.076100 * t**2 + 0.0020936 * t**3
    if y < 1961:
        t = y - 1950
        return 29.07 + 0.407 * t - t**2 / 233 + t**3 / 2547
    if y < 1986:
        t = y - 1975
        return 45.45 + 1.067 * t - t**2 / 260 - t**3 / 718
    if y < 2005:
        t = y - 2000
        return (63.86 + 0.3345 * t - 0.060374 * t**2 + 0.0017275 * t**3 + 0.000651814 * t**4
                + 0.00002373599 * t**5)
    if y < 2050:
        t = y - 2000
        return 62.92 + 0.32217 * t + 0.005589 * t**2
    if y < 2150:
        return -20 + 32 * ((y - 1820) / 100) ** 2 - 0.5628 * (2150 - y)
    return -20 + 32 * ((y - 1820) / 100) ** 2


def _tt_to_ut(jde: float) -> float:
    year = 2000 + (jde - _J2000) / 365.25
    return jde - delta_t(year) / 86400.0


def _ut_to_tt(jd_ut: float) -> float:
    year = 2000 + (jd_ut - _J2000) / 365.25
    return jd_ut + delta_t(year) / 86400.0


# --- the Sun -------------------------------------------------------------------------------------


def sun_apparent_longitude(jde: float) -> float:
    """The Sun's apparent geocentric longitude in degrees [0, 360) at ``jde`` (TT), Meeus ch. 25."""
    t = (jde - _J2000) / 36525.0
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = math.radians(357.52911 + 35999.05029 * t - 0.0001537 * t * t)
    c = ((1.914602 - 0.004817 * t - 0.000014 * t * t) * math.sin(m)
         + (0.019993 - 0.000101 * t) * math.sin(2 * m)
         + 0.000289 * math.sin(3 * m))
    omega = math.radians(125.04 - 1934.136 * t)
    return (l0 + c - 0.00569 - 0.00478 * math.sin(omega)) % 360.0


def solar_term_moment(year: int, longitude: float) -> datetime:
    """The instant (UTC) in ``year`` at which the Sun's apparent longitude reaches ``longitude``."""
    _check_year(year)
    # The Sun is at 0° about 20 March and moves ~360/365.2422 degrees a day; 小寒 (285°) to
    # 惊蛰 (345°) fall in January–March, before that year's 0°.
    longitude %= 360.0
    days = longitude * 365.2422 / 360.0 - (365.2422 if longitude >= 285.0 else 0.0)
    guess = datetime(year, 3, 20, tzinfo=UTC) + timedelta(days=days)
    jde = _ut_to_tt(_jd(guess))
    for _ in range(50):
        error = (longitude - sun_apparent_longitude(jde) + 180.0) % 360.0 - 180.0
        jde += error * 365.2422 / 360.0
        if abs(error) < 1e-7:
            break
    return _moment(_tt_to_ut(jde))


def cst_date(moment: datetime) -> date:
    """The date in China Standard Time (UTC+8) of an aware instant."""
    return (moment.astimezone(UTC) + _CST).date()


def solar_term_date(year: int, longitude: float) -> date:
    """The CST date of the solar term at ``longitude`` in ``year`` (e.g. 15.0: 清明)."""
    return cst_date(solar_term_moment(year, longitude))


def qingming(year: int) -> date:
    """清明: the day the Sun reaches apparent longitude 15°."""
    return solar_term_date(year, QINGMING_LONGITUDE)


# --- the Moon ------------------------------------------------------------------------------------

_NEW_MOON_TERMS = (  # (coefficient, power of E, multipliers of M, M', F, Ω)
    (-0.40720, 0, 0, 1, 0, 0), (0.17241, 1, 1, 0, 0, 0), (0.01608, 0, 0, 2, 0, 0),
    (0.01039, 0, 0, 0, 2, 0), (0.00739, 1, -1, 1, 0, 0), (-0.00514, 1, 1, 1, 0, 0),
    (0.00208, 2, 2, 0, 0, 0), (-0.00111, 0, 0, 1, -2, 0), (-0.00057, 0, 0, 1, 2, 0),
    (0.00056, 1, 1, 2, 0, 0), (-0.00042, 0, 0, 3, 0, 0), (0.00042, 1, 1, 0, 2, 0),
    (0.00038, 1, 1, 0, -2, 0), (-0.00024, 1, -1, 2, 0, 0), (-0.00017, 0, 0, 0, 0, 1),
    (-0.00007, 0, 2, 1, 0, 0), (0.00004, 0, 0, 2, -2, 0), (0.00004, 0, 3, 0, 0, 0),
    (0.00003, 0, 1, 1, -2, 0), (0.00003, 0, 0, 2, 2, 0), (-0.00003, 0, 1, 1, 2, 0),
    (0.00003, 0, -1, 1, 2, 0), (-0.00002, 0, -1, 1, -2, 0), (-0.00002, 0, 1, 3, 0, 0),
    (0.00002, 0, 0, 4, 0, 0),
)
_PLANETARY = (  # (coefficient, A0, A1 per lunation k); A1 also has -0.009173 T² in its argument
    (0.000325, 299.77, 0.107408), (0.000165, 251.88, 0.016321), (0.000164, 251.83, 26.651886),
    (0.000126, 349.42, 36.412478), (0.000110, 84.66, 18.206239), (0.000062, 141.74, 53.303771),
    (0.000060, 207.14, 2.453732), (0.000056, 154.84, 7.306860), (0.000047, 34.52, 27.261239),
    (0.000042, 207.19, 0.121824), (0.000040, 291.34, 1.844379), (0.000037, 161.72, 24.198154),
    (0.000035, 239.56, 25.513099), (0.000023, 331.55, 3.592518),
)


def new_moon_jde(k: int) -> float:
    """JDE (TT) of the new moon of lunation ``k`` (k = 0: the new moon of 6 January 2000), Meeus ch. 49."""
    t = k / 1236.85
    jde = (2451550.09766 + 29.530588861 * k + 0.00015437 * t**2 - 0.000000150 * t**3
           + 0.00000000073 * t**4)
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = math.radians(2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3)
    mp = math.radians(201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3
                      - 0.000000058 * t**4)
    f = math.radians(160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3
                     + 0.000000011 * t**4)
    omega = math.radians(124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3)
    for coefficient, e_power, cm, cmp, cf, co in _NEW_MOON_TERMS:
        jde += coefficient * e**e_power * math.sin(cm * m + cmp * mp + cf * f + co * omega)
    for index, (coefficient, a0, a1) in enumerate(_PLANETARY):
        argument = a0 + a1 * k - (0.009173 * t**2 if index == 0 else 0.0)
        jde += coefficient * math.sin(math.radians(argument))
    return jde


def new_moon_dates(first: date, last: date) -> list[date]:
    """CST dates of the new moons from ``first`` to ``last`` inclusive, in order."""
    k = math.floor((first.year + (first.timetuple().tm_yday - 1) / 365.25 - 2000) * 12.3685) - 1
    found: list[date] = []
    while True:
        day = cst_date(_moment(_tt_to_ut(new_moon_jde(k))))
        if day > last:
            return found
        if day >= first:
            found.append(day)
        k += 1


# --- lunar months --------------------------------------------------------------------------------


@cache
def lunar_year_months(year: int) -> tuple[tuple[date, int, bool], ...]:
    """The lunar months from the 11th month containing the winter solstice of ``year - 1`` up to
    (not including) the one containing the solstice of ``year``: ``(first day, number, leap)``.

    So the result holds 正月 … 十月 that begin in (or, for 正月, around the start of) ``year``.
    """
    _check_year(year)
    _check_year(year - 1)
    solstice_before = solar_term_date(year - 1, WINTER_SOLSTICE_LONGITUDE)
    solstice = solar_term_date(year, WINTER_SOLSTICE_LONGITUDE)
    moons = new_moon_dates(solstice_before - timedelta(days=31), solstice + timedelta(days=31))
    # The 11th months: the last new moon on or before each solstice.
    start = max(i for i, d in enumerate(moons) if d <= solstice_before)
    end = max(i for i, d in enumerate(moons) if d <= solstice)
    starts = moons[start:end + 1]  # starts[-1] is the next 11th month
    principal = _principal_term_dates(year)
    leap_index = None
    if len(starts) - 1 == 13:
        for i in range(1, len(starts) - 1):
            if not any(starts[i] <= d < starts[i + 1] for d in principal):
                leap_index = i
                break
    months: list[tuple[date, int, bool]] = []
    number = 11
    for i, first_day in enumerate(starts[:-1]):
        if i == 0:
            months.append((first_day, 11, False))
            continue
        if i == leap_index:
            months.append((first_day, number, True))
            continue
        number = number % 12 + 1
        months.append((first_day, number, False))
    return tuple(months)


def _principal_term_dates(year: int) -> list[date]:
    """CST dates of the principal terms (中气, longitudes 0°, 30° … 330°) from 大寒 of ``year - 1``
    (300°, in January of ``year``) to 小雪 (240°, November of ``year``)."""
    return [solar_term_date(year, float(longitude)) for longitude in range(0, 360, 30)
            if longitude != WINTER_SOLSTICE_LONGITUDE]


def lunar_to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian date of (non-leap) lunar ``month``/``day`` of the lunar year whose 正月 begins
    in ``year``. ``month`` is 1–10 (the months that close the year are not needed for holidays)."""
    if not 1 <= month <= 10:
        raise ValueError(f"month must be 1–10, not {month}")
    if not 1 <= day <= 30:
        raise ValueError(f"day must be 1–30, not {day}")
    for first_day, number, leap in lunar_year_months(year):
        if number == month and not leap:
            return first_day + timedelta(days=day - 1)
    raise AssertionError(f"lunar month {month} of {year} not found")  # pragma: no cover - every year has it


def spring_festival(year: int) -> date:
    """春节 (正月初一) of ``year``."""
    return lunar_to_gregorian(year, 1, 1)


def dragon_boat(year: int) -> date:
    """端午 (五月初五) of ``year``."""
    return lunar_to_gregorian(year, 5, 5)


def mid_autumn(year: int) -> date:
    """中秋 (八月十五) of ``year``."""
    return lunar_to_gregorian(year, 8, 15)
