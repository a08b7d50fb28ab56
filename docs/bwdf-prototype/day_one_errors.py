"""Splits the day-one error (PI1) of a `flow backtest` into the day's level and its hourly shape.

    python day_one_errors.py Output/Backtest/backtest.csv

For each site and origin: PI1 (MAE of hours 1-24), the absolute mean error of those hours (the
level missed), and the MAE left once that mean is taken off (the shape missed: a forecast with
the day's level exactly right would still score this).
"""
import csv, collections, math, sys

rows = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    actual = float(r['actual']) if r['actual'] else math.nan
    rows[(r['origin'], r['site'])].append((actual, float(r['forecast'])))
pi1, level, shape = [], [], []
for day in rows.values():
    errors = [a - f for a, f in day[:24] if not math.isnan(a)]
    if not errors:
        continue
    mean = sum(errors) / len(errors)
    pi1.append(sum(abs(e) for e in errors) / len(errors))
    level.append(abs(mean))
    shape.append(sum(abs(e - mean) for e in errors) / len(errors))
avg = lambda v: sum(v) / len(v)
print(f'{len(pi1)} site-origins: PI1 {avg(pi1):.3f}, |day-one mean error| {avg(level):.3f}, '
      f'MAE with the level taken off {avg(shape):.3f}')
