from fast import *
def run_site(build_fn, origins, lam=10.0, blend=None, tag=''):
    rows, _, meta = build_fn(Yg, day0)
    ys = [Y[o:o+168, s]/lev for (o,s,lev) in meta]
    F = rows[0].shape[1]
    days = sorted(set(m[0] for m in meta)); di = {d:i for i,d in enumerate(days)}
    G = np.zeros((10,len(days),F,F)); B=np.zeros((10,len(days),F))
    for X,y,(o,s,lev) in zip(rows,ys,meta):
        ok=np.isfinite(y); X=X[ok]; y=y[ok]
        G[s,di[o]] += X.T@X; B[s,di[o]] += X.T@y
    darr=np.array(days); R=[]
    for m in origins:
        o=pos(m); tr = darr+168<=o
        Yh=fill(Y[:o]); r2,_,mt=build_fn(np.vstack([Yh,np.full((168,10),np.nan)]),[o])
        fc=mean4(Y[:o],m).copy()
        for Xi,(oo,s,lev) in zip(r2,mt):
            w=np.linalg.solve(G[s,tr].sum(0)+lam*np.eye(F), B[s,tr].sum(0)); fc[:,s]=(Xi@w)*lev
        if blend is not None: fc = blend*fc+(1-blend)*corr(Y[:o],m,L=48,tau=72)
        R+=score(fc,o,Y)
    R=np.array(R); print(tag, R.mean(0).round(3), len(R), flush=True)
for lam in (10.0, 100.0):
    run_site(build, late, lam=lam, tag=f'site lam{lam}')
    run_site(build, late, lam=lam, blend=0.5, tag=f'site lam{lam} blend')
