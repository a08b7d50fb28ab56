from fast import *
def build2(Yf, origins_idx, H=168, split=True, day=True):
    rows, ys, meta = build(Yf, origins_idx, H)
    out=[]
    hh=np.arange(1,H+1)
    for X,(o,s,lev) in zip(rows,meta):
        n = Yf[:,s]/lev
        extra=[]
        if day:
            sameh = n[o-24+(hh-1)%24]            # last day's value at the same hour
            prof = np.mean([n[o-24+(hh-1)%24-168*k] for k in range(1,5)],0)
            extra=[sameh[:,None], (sameh-prof)[:,None]*np.exp(-hh/24)[:,None]]
        X = np.concatenate([X]+extra,1)
        if split:
            b = (hh<=24)[:,None].astype(float)
            X = np.concatenate([X*b, X*(1-b)],1)
        out.append(X)
    return out, ys, meta
if __name__=='__main__':
    run(lambda Y,o: build2(Y,o,split=False), late, tag='day')
    run(lambda Y,o: build2(Y,o,day=False), late, tag='split')
    run(build2, late, tag='day+split')
    run(build2, late, tag='day+split blend', blend=0.5)
