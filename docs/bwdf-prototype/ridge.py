from base import *
import datetime as dt
HOL = set(pd.to_datetime(['2021-01-01','2021-01-06','2021-04-05','2021-04-25','2021-05-01','2021-06-02','2021-08-15','2021-11-01','2021-12-08','2021-12-25','2021-12-26',
 '2022-01-01','2022-01-06','2022-04-18','2022-04-25','2022-05-01','2022-06-02','2022-08-15','2022-11-01','2022-12-08','2022-12-25','2022-12-26',
 '2023-01-01','2023-01-06','2023-04-10','2023-04-25']).date)
N = len(T0)
dates = T0.date
hol = np.array([d in HOL for d in dates])
dow = T0.dayofweek.values.copy(); dow_eff = np.where(hol, 6, dow)
hod = T0.hour.values
temp = W['temperature_c'].values; rain = W['rain_mm'].values
def build(Yf, origins_idx, H=168, taus=(6,24,72), wk=4):
    """rows for every origin index o (midnight), site s, horizon h."""
    rows=[]; ys=[]; meta=[]
    for o in origins_idx:
        for s in range(Yf.shape[1]):
            col = Yf[:,s]
            lev = col[o-168:o].mean()
            if not np.isfinite(lev) or lev<=0: continue
            n = col/lev
            last24 = n[o-24:o]
            past = np.mean([n[o-24-168*k:o-168*k] for k in range(1,wk+1)],axis=0)
            r = (last24-past).mean()
            pastA = np.mean([n[o-3-168*k:o-168*k] for k in range(1,wk+1)],axis=0)
            r3 = (n[o-3:o]-pastA).mean()
            past7 = np.mean([n[o-168-168*k:o-168*k] for k in range(1,wk+1)],axis=0)
            r7 = (n[o-168:o]-past7).mean()
            hh = np.arange(1,H+1); t = o+hh-1
            lags = np.stack([n[t-168*k] for k in range(1,wk+1)],1)  # H x wk
            f = [lags, np.mean(lags,1,keepdims=True)]
            f.append(np.stack([r*np.exp(-hh/tau) for tau in taus]+[r3*np.exp(-hh/3.0), r3*np.exp(-hh/12.0), r7*np.ones(H)],1))
            f.append((n[o-168:o].mean()/n[o-168*5:o-168].mean() if True else 0)*np.ones((H,1)))
            tt = np.clip(t, 0, N-1)
            de = dow_eff[tt]; hd = hod[tt]
            oh = np.zeros((H, 24*3)); grp = np.where(de<5,0,np.where(de==5,1,2))
            oh[np.arange(H), grp*24+hd]=1
            f.append(oh)
            f.append(np.stack([(temp[tt]-15)/10, np.maximum(temp[tt]-22,0)/5, np.minimum(rain[tt],5)],1))
            # holiday flag vs lag holiday flags
            f.append(np.stack([hol[tt].astype(float)]+[hol[t-168*k].astype(float) for k in range(1,wk+1)],1))
            X = np.concatenate(f,1)
            rows.append(X); meta.append((o,s,lev))
            ys.append(n[tt] if o+H<=N else np.full(H,np.nan))
    return rows, ys, meta
