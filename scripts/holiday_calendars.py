"""Writes flow's built-in holiday calendars (crates/flowcli/data/holidays_*.csv).

The dates come from the `holidays` Python package (MIT licence, https://github.com/vacanza/holidays),
run in a scratch venv, not a project dependency:

    python3 -m venv /tmp/hv && /tmp/hv/bin/pip install holidays==0.109
    /tmp/hv/bin/python scripts/holiday_calendars.py

Public holidays are facts of each country's law; a temporary holiday or an election day declared
after the package's release is not in them (give such a day in a file with --holidays FILE).
"""

import pathlib

import holidays

YEARS = range(2015, 2036)
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates" / "flowcli" / "data"

for code, country in (("kr", holidays.KR), ("it", holidays.IT)):
    calendar = country(years=YEARS, language="en_US")
    lines = ["date,name"]
    for day, name in sorted(calendar.items()):
        # Italy's National Unity Day is kept on the first Sunday of November, not a day off: as a
        # holiday it would only take a Sunday out of the alarms' judging.
        name = "; ".join(n for n in name.split("; ") if n != "National Unity Day")
        if name:
            lines.append(f"{day.isoformat()},{name.replace(',', ' ')}")
    (OUT / f"holidays_{code}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"holidays_{code}.csv: {len(lines) - 1} dates, {YEARS.start}-{YEARS.stop - 1}, holidays {holidays.__version__}")
