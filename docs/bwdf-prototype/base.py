import numpy as np, pandas as pd, json
df = pd.read_csv('/work/shared/data/bwdf/inflows.csv')
df = df.groupby('time', sort=False).mean().reset_index()
df['time'] = pd.to_datetime(df.time)
df = df.set_index('time').asfreq('h')
Y = df.values  # T x 10
T0 = df.index
W = pd.read_csv('/work/shared/data/bwdf/weather.csv').groupby('time',sort=False).mean()
W.index = pd.to_datetime(W.index); W = W.reindex(T0).interpolate()
EVAL = [pd.Timestamp(x) for x in json.load(open('/work/shared/data/bwdf/weeks.json'))['weeks']]
def pos(ts): return T0.get_loc(ts)
mondays = [m for m in pd.date_range('2021-03-01', '2023-03-27', freq='7D') ]
tune = [m for m in mondays if pos(m)+168<=len(T0) and all(abs((m-e).days) >= 7 for e in EVAL)]
def score(fc, o, Yact):
    act = Yact[o:o+168]
    res = []
    for s in range(10):
        a, f = act[:,s], fc[:,s]
        if np.isnan(a[:24]).all() or np.isnan(a[24:]).all(): continue
        e = np.abs(a-f)
        res.append((np.nanmean(e[:24]), np.nanmax(e[:24]), np.nanmean(e[24:])))
    return res
def evaluate(method, origins, **kw):
    R = []
    for m in origins:
        o = pos(m)
        fc = method(Y[:o], m, **kw)
        R += score(fc, o, Y)
    R = np.array(R); return R.mean(0).round(3), len(R)
def fill(h):
    h = h.copy()
    for s in range(h.shape[1]):
        col = h[:,s]
        idx = np.where(np.isnan(col))[0]
        for i in idx:
            # same hour a week before if known
            if i>=168 and not np.isnan(col[i-168]): col[i]=col[i-168]
        idx = np.where(~np.isnan(col))[0]
        if len(idx): col[:] = np.interp(np.arange(len(col)), idx, col[idx])
    return h
def lastweek(h, m): 
    h=fill(h); return h[-168:]
def mean4(h, m):
    h=fill(h); return np.mean([h[-168*k: len(h)-168*(k-1)] for k in range(1,5)],axis=0)
if __name__ == '__main__':
    print(len(tune), 'tuning origins')
    print('lastweek', evaluate(lastweek, tune)); print('mean4', evaluate(mean4, tune))
    print('EVAL lastweek', evaluate(lastweek, EVAL), 'mean4', evaluate(mean4, EVAL))
