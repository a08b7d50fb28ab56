from base import *
def prof(h, K, agg=np.mean):
    h=fill(h); return agg([h[len(h)-168*k: len(h)-168*(k-1)] for k in range(1,K+1)],axis=0), h
def med(h,m,K=4): return prof(h,K,np.median)[0]
def meanK(h,m,K=4): return prof(h,K)[0]
def corr(h,m,K=4,agg=np.mean,L=24,tau=24.0,lev=0.0):
    p,hf = prof(h,K,agg)
    # residual of the last L hours vs the same profile one week back
    p_prev,_ = prof(h[:-168],K,agg) if False else (None,None)
    # profile for last L hours: mean of K weeks before those hours
    n=len(hf)
    past = np.mean([hf[n-L-168*k:n-168*k] for k in range(1,K+1)],axis=0)
    r = (hf[n-L:]-past).mean(0)
    hh = np.arange(1,169)[:,None]
    return p + r*np.exp(-hh/tau) + lev*r
if __name__=='__main__':
    for K in (3,4,5,6,8):
        print('K',K,'mean',evaluate(meanK,tune,K=K),'med',evaluate(med,tune,K=K))
    for L in (6,24,48):
      for tau in (6,24,72,1e9):
        print('corr L',L,'tau',tau,evaluate(corr,tune,L=L,tau=tau))
