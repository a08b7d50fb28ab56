"""One-step daily forecasts of statsforecast's AutoTheta, AutoETS, AutoARIMA and MSTL (season 7)
on the test days of `flow train --site jangmyeong` (the demo export), for comparison with flow's
default. Not a project dependency: run it in a scratch venv.

    python3 -m venv /tmp/sf && /tmp/sf/bin/pip install statsforecast pandas
    flow run --site jangmyeong              # writes Output/jangmyeong/… (flow train: the same model)
    /tmp/sf/bin/python docs/statsforecast/daily_one_step.py Output/jangmyeong

Each test day is forecast from every day before it (refit at each of the 111 origins), as flow's
evaluation forecasts each test day from the days before it. Where `flow run`'s report.json leaves
test days out as no measure of the flow (`where_measured`: a meter fault in the day or in the
week before it, a part-read day: test_predictions.csv's `measured` column), every model is
scored again without them. flow's own rows are its LSTM and its Holt-Winters baseline (the
forecast it gives where that baseline beats the LSTM), read from test_predictions.csv.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoARIMA, AutoETS, AutoTheta

root = sys.argv[1] if len(sys.argv) > 1 else "Output/jangmyeong"
series = pd.read_csv(f"{root}/Data_preprocessing/preprocessed.csv")
series.columns = ["ds", "y"]
series["ds"] = pd.to_datetime(series["ds"])
series["unique_id"] = "jangmyeong"
test = pd.read_csv(f"{root}/Learning_lstm/test_predictions.csv", parse_dates=["time"])

models = [
    AutoTheta(season_length=7),
    AutoETS(season_length=7),
    AutoARIMA(season_length=7),
    MSTL(season_length=7),
]
sf = StatsForecast(models=models, freq="D", n_jobs=1)
cv = sf.cross_validation(df=series, h=1, n_windows=len(test), step_size=1, refit=True)
cv = cv.merge(test, left_on="ds", right_on="time")
assert len(cv) == len(test), (len(cv), len(test))

def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


report = f"{root}/report.json"
given = json.load(open(report)).get("baseline_forecast") if os.path.exists(report) else None
# flow's own forecasters, from test_predictions.csv: the LSTM, and its Holt-Winters baseline
# where the file has that column (flow since 2026-12-07).
flow_rows = [("flow LSTM", "predicted")]
if "holt_winters" in cv.columns:
    flow_rows.append(("flow Holt-Winters", "holt_winters"))


def table(days, what):
    print(f"{len(days)} test days{what}, {days['ds'].min().date()} .. {days['ds'].max().date()}")
    print(f"{'model':<18} {'RMSE':>7} {'MAE':>7}")
    for name in ["AutoTheta", "AutoETS", "AutoARIMA", "MSTL"]:
        print(f"{name:<18} {rmse(days['y'], days[name]):7.3f} {np.mean(np.abs(days['y'] - days[name])):7.3f}")
    for name, column in flow_rows:
        error = days["actual"] - days[column]
        print(f"{name:<18} {rmse(days['actual'], days[column]):7.3f} {np.mean(np.abs(error)):7.3f}")


table(cv, "")
print("max |y - actual| (same targets):", float(np.max(np.abs(cv["y"] - cv["actual"]))))
if "measured" in cv.columns and (cv["measured"] == "no").any():
    left_out = (cv["measured"] == "no").to_numpy()
    print()
    table(cv[~left_out], f" where measured ({left_out.sum()} left out as test_predictions.csv's `measured` says)")
if given:
    print()
    print(f"flow gives {given['name']}'s forecast beside the LSTM's (report.json baseline_forecast)")
