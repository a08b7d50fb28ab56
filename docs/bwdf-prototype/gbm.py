"""After the one look at the evaluation weeks: does a non-linear learner add to the per-area ridge?
Tuning weeks only (every third of the 60 tuning Mondays; `python gbm.py fresh` for 2021's Mondays).
Per area and origin, on the last 365 days' midnights: the ridge (lambda 10) as flowlstm::horizon
fits it; LightGBM (L1 loss) on the ridge's residuals with the step ahead and hour as extra inputs
(`gbm_res`); and the ridge averaged with LightGBM fitted on the flow itself (`avg`). Prints the
running means of PI1 / PI2 / PI3 after each origin; output kept in gbm.out. Needs lightgbm in the
scratch venv (pip install lightgbm), not a project dependency.
"""
from fast import *
import lightgbm as lgb, sys
rows, ys_, meta = build(Yg, day0)
ys = [Y[o:o+168, s]/lev for (o,s,lev) in meta]
F = rows[0].shape[1]
H = np.arange(168)
def extra(X):  # add step-ahead and hour as explicit features for trees
    return np.column_stack([X, H, H % 24])
by_site = {s: [] for s in range(10)}
for X,y,(o,s,lev) in zip(rows,ys,meta): by_site[s].append((o,X,y))
which = sys.argv[1] if len(sys.argv)>1 else 'tune'
origins = late[::3] if which=='tune' else [m for m in pd.date_range('2021-05-03','2021-12-27',freq='7D')]
lam=10.0
R={'ridge':[], 'gbm_res':[], 'avg':[]}
for m in origins:
    o=pos(m)
    Yh=fill(Y[:o]); r2,_,mt=build(np.vstack([Yh,np.full((168,10),np.nan)]),[o])
    fcs={k: mean4(Y[:o],m).copy() for k in R}
    for Xi,(oo,s,lev) in zip(r2,mt):
        tr=[(X,y) for (oo2,X,y) in by_site[s] if oo2+168<=o and oo2 >= o-365*24]
        if len(tr)<50: continue
        Xs=np.vstack([X for X,y in tr]); yv=np.concatenate([y for X,y in tr]); ok=np.isfinite(yv)
        Xs,yv=Xs[ok],yv[ok]
        w=np.linalg.solve(Xs.T@Xs+lam*np.eye(F), Xs.T@yv)
        res=yv-Xs@w
        Xe=np.vstack([extra(X) for X,y in tr])[ok]
        P=dict(learning_rate=0.05, num_leaves=15, min_data_in_leaf=50, bagging_fraction=0.8, bagging_freq=1, feature_fraction=0.8, objective='l1', verbose=-1, num_threads=2)
        g=lgb.train(P, lgb.Dataset(Xe,res), num_boost_round=150)
        pr=Xi@w; pg=pr+g.predict(extra(Xi))
        g2=lgb.train(dict(P, num_leaves=31), lgb.Dataset(Xe,yv), num_boost_round=300)
        pd2=g2.predict(extra(Xi))
        fcs['ridge'][:,s]=pr*lev; fcs['gbm_res'][:,s]=pg*lev; fcs['avg'][:,s]=0.5*(pr+pd2)*lev
    for k in R: R[k]+=score(fcs[k],o,Y)
    print(m.date(), {k: np.array(v).mean(0).round(3).tolist() for k,v in R.items()}, flush=True)
