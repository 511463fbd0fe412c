"""The computed lunisolar calendar and the provisional statutory holidays built on it."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from xuhui_desk.services import lunisolar
from xuhui_desk.services.workdays import WorkCalendar, provisional_holidays

# -- astronomy: Meeus's worked examples ------------------------------------------------------------


def test_new_moon_meeus_example_49a() -> None:
    # The new moon of February 1977: JDE 2443192.65118 (Astronomical Algorithms, example 49.a).
    assert lunisolar.new_moon_jde(-283) == pytest.approx(2443192.65118, abs=2e-5)


def test_sun_longitude_meeus_example_25a() -> None:
    # 1992 October 13.0 TD: apparent longitude 199°.90895 (the higher-accuracy value; the
    # lower-accuracy theory used here gives 199°.90988 in the book and must be within 0.01°).
    assert lunisolar.sun_apparent_longitude(2448908.5) == pytest.approx(199.90895, abs=0.01)


# Published 清明 dates (Purple Mountain Observatory / Hong Kong Observatory almanacs).
QINGMING = {
    2020: 4, 2021: 4, 2022: 5, 2023: 5, 2024: 4, 2025: 4, 2026: 5, 2027: 5, 2028: 4, 2029: 4, 2030: 5,
}


@pytest.mark.parametrize(("year", "day"), sorted(QINGMING.items()))
def test_qingming_2020_to_2030(year: int, day: int) -> None:
    assert lunisolar.qingming(year) == date(year, 4, day)


def test_qingming_agrees_with_the_solar_term_formula_2004_to_2099() -> None:
    # chinesecalendar's 寿星 formula with its correction table: an independent method (its
    # 21st-century constants end with 2099).
    for year in range(2004, 2100):
        terms = {name: day for day, name in chinese_calendar.get_solar_terms(date(year, 1, 1), date(year, 12, 31))}
        assert lunisolar.qingming(year) == terms["清明"], year


# -- lunar dates -------------------------------------------------------------------------------------


def _holiday_name(day: date) -> str | None:
    on_holiday, english = chinese_calendar.get_holiday_detail(day)
    return chinese_calendar.Holiday(english).chinese if on_holiday and english is not None else None


@pytest.mark.parametrize("year", range(2008, 2027))
def test_lunar_festivals_fall_on_the_official_holidays(year: int) -> None:
    """Every official calendar chinesecalendar holds (2008–2026) has 春节 (初一 to 初三), 清明,
    端午 and 中秋 off under that name: the computed dates must be those days."""
    def named(day: date) -> set[str | None]:
        # The package leaves some weekend days inside a holiday unnamed (端午 2012-06-23 is a
        # Saturday between two named 端午 days): the day is off and a neighbour carries the name.
        assert not chinese_calendar.is_workday(day), day
        return {_holiday_name(day + timedelta(days=d)) for d in (-1, 0, 1)} if _holiday_name(day) is None \
            else {_holiday_name(day)}

    new_year = lunisolar.spring_festival(year)
    for offset in range(3):
        assert "春节" in named(new_year + timedelta(days=offset)), (year, offset)
    assert "清明" in named(lunisolar.qingming(year))
    assert "端午" in named(lunisolar.dragon_boat(year))
    # 中秋 on 1 October (2020) is named 国庆 there.
    assert named(lunisolar.mid_autumn(year)) & {"中秋", "国庆节"}


# Published dates 2027–2035 (春节, 端午, 中秋).
FUTURE = {
    2027: ((2, 6), (6, 9), (9, 15)),
    2028: ((1, 26), (5, 28), (10, 3)),
    2029: ((2, 13), (6, 16), (9, 22)),
    2030: ((2, 3), (6, 5), (9, 12)),
    2031: ((1, 23), (6, 24), (10, 1)),
    2032: ((2, 11), (6, 12), (9, 19)),
    2033: ((1, 31), (6, 1), (9, 8)),
    2034: ((2, 19), (6, 20), (9, 27)),
    2035: ((2, 8), (6, 10), (9, 16)),
}


@pytest.mark.parametrize(("year", "dates"), sorted(FUTURE.items()))
def test_lunar_festivals_2027_to_2035(year: int, dates: tuple[tuple[int, int], ...]) -> None:
    spring, dragon, autumn = (date(year, m, d) for m, d in dates)
    assert (lunisolar.spring_festival(year), lunisolar.dragon_boat(year), lunisolar.mid_autumn(year)) == (
        spring, dragon, autumn)


@pytest.mark.parametrize(("year", "month", "first_day"), [
    (2020, 4, date(2020, 5, 23)),  # 闰四月
    (2023, 2, date(2023, 3, 22)),  # 闰二月
    (2025, 6, date(2025, 7, 25)),  # 闰六月
    (2028, 5, date(2028, 6, 23)),  # 闰五月
    (2034, 11, date(2033, 12, 22)),  # 闰十一月 of 2033 (GB/T 33661's "2033 problem" case)
])
def test_leap_months(year: int, month: int, first_day: date) -> None:
    leaps = [(number, day) for day, number, leap in lunisolar.lunar_year_months(year) if leap]
    assert leaps == [(month, first_day)]


def test_years_without_a_leap_month_have_twelve_months() -> None:
    months = lunisolar.lunar_year_months(2027)
    assert [number for _day, number, _leap in months] == [11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_out_of_range() -> None:
    with pytest.raises(lunisolar.OutOfRange):
        lunisolar.qingming(2200)
    with pytest.raises(ValueError, match="month"):
        lunisolar.lunar_to_gregorian(2027, 11, 1)


# -- the provisional statutory holidays -------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_provisional_holidays_are_official_holidays(year: int) -> None:
    """Under the 2024 rules the statutory days (and their 补假) of 2025 and 2026 are all days off in
    the State Council's notices; the notices add bridging days (调休) the rules cannot know."""
    for day, name in provisional_holidays(year).items():
        assert not chinese_calendar.is_workday(day), (day, name)


def test_provisional_2026_in_detail() -> None:
    days = provisional_holidays(2026)
    assert days == {
        date(2026, 1, 1): "元旦",
        date(2026, 2, 16): "春节", date(2026, 2, 17): "春节", date(2026, 2, 18): "春节", date(2026, 2, 19): "春节",
        date(2026, 4, 5): "清明节", date(2026, 4, 6): "清明节补假",
        date(2026, 5, 1): "劳动节", date(2026, 5, 2): "劳动节", date(2026, 5, 4): "劳动节补假",
        date(2026, 6, 19): "端午节",
        date(2026, 9, 25): "中秋节",
        date(2026, 10, 1): "国庆节", date(2026, 10, 2): "国庆节", date(2026, 10, 3): "国庆节",
        date(2026, 10, 5): "国庆节补假",
    }


def test_provisional_2027() -> None:
    days = provisional_holidays(2027)
    # 春节: 除夕 Friday 5 February, 初一–初三 Saturday to Monday; Saturday and Sunday made up on
    # Tuesday and Wednesday.
    assert [d for d, name in days.items() if name.startswith("春节")] == [
        date(2027, 2, 5) + timedelta(days=i) for i in range(6)]
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节" and days[date(2027, 9, 15)] == "中秋节"
    assert sum(1 for name in days.values() if not name.endswith("补假")) == 13  # 1+4+1+2+1+1+3


def test_provisional_calendar_counts_weekends_and_the_statutory_days(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cal = WorkCalendar(override_dir=tmp_path)
    year = [date(2027, 1, 1) + timedelta(days=i) for i in range(365)]
    off = provisional_holidays(2027)
    assert [d for d in year if not cal.is_workday(d)] == sorted(
        {d for d in year if d.weekday() >= 5} | set(off))
