from ridge import *
import ridge, sys, time
from m1 import corr
Yg = fill(Y)
day0 = [i for i in range(168*5, N-168+1) if hod[i]==0]
def run(build_fn, origins, lam=10.0, blend=None, halflife=None, tag=''):
    rows, _, meta = build_fn(Yg, day0)
    ys = [Y[o:o+168, s]/lev for (o,s,lev) in meta]
    F = rows[0].shape[1]
    days = sorted(set(m[0] for m in meta)); di = {d:i for i,d in enumerate(days)}
    G = np.zeros((len(days),F,F)); B=np.zeros((len(days),F))
    for X,y,(o,s,lev) in zip(rows,ys,meta):
        ok=np.isfinite(y); X=X[ok]; y=y[ok]
        G[di[o]] += X.T@X; B[di[o]] += X.T@y
    darr=np.array(days)
    R=[]
    for m in origins:
        o=pos(m); tr = darr+168<=o
        if halflife:
            wts = 0.5**((o-darr[tr])/(24*halflife))
            A = np.tensordot(wts, G[tr], 1); b = wts@B[tr]
        else:
            A=G[tr].sum(0); b=B[tr].sum(0)
        w=np.linalg.solve(A+lam*np.eye(F), b)
        Yh=fill(Y[:o]); r2,_,mt=build_fn(np.vstack([Yh,np.full((168,10),np.nan)]),[o])
        fc=mean4(Y[:o],m).copy()
        for Xi,(oo,s,lev) in zip(r2,mt): fc[:,s]=(Xi@w)*lev
        if blend is not None: fc = blend*fc+(1-blend)*corr(Y[:o],m,L=48,tau=72)
        R+=score(fc,o,Y)
    R=np.array(R); print(tag, R.mean(0).round(3), len(R), flush=True)
late = [m for m in tune if m >= pd.Timestamp('2022-01-01')]
if __name__=='__main__':
    run(build, late, tag='base')
    run(build, late, blend=0.5, tag='blend.5')
    run(build, late, halflife=180, tag='hl180')
