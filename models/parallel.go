package models

import (
	"sync"

	"github.com/hark-audio/hark/models/internal/gemm"
)

// shards is the fixed number of partial sums that cross-sample reductions (weight gradients)
// are split into. Fixing it, rather than using one partial per thread, makes the summation
// order, and so every bit of the result, independent of the thread count.
const shards = 16

// pool runs a model's kernels on a fixed number of goroutines. Each worker owns a GEMM
// workspace and a scratch buffer that ops share, since ops run one after another.
type pool struct {
	threads int
	ws      []*gemm.Workspace
	scratch [][]float32
	wg      sync.WaitGroup
}

func newPool(threads int) *pool {
	p := &pool{threads: threads, ws: make([]*gemm.Workspace, threads), scratch: make([][]float32, threads)}
	for i := range p.ws {
		p.ws[i] = gemm.NewWorkspace()
	}
	return p
}

// reserve makes every worker's scratch buffer at least n floats long.
func (p *pool) reserve(n int) {
	for i, s := range p.scratch {
		if len(s) < n {
			p.scratch[i] = make([]float32, n)
		}
	}
}

// each calls fn(w, t) for tasks t in [0, tasks), worker w taking tasks w, w+threads, ...; the
// caller's goroutine is worker 0.
func (p *pool) each(tasks int, fn func(w, t int)) {
	nw := min(p.threads, tasks)
	p.wg.Add(nw - 1)
	for w := 1; w < nw; w++ {
		go func() {
			defer p.wg.Done()
			for t := w; t < tasks; t += nw {
				fn(w, t)
			}
		}()
	}
	for t := 0; t < tasks; t += nw {
		fn(0, t)
	}
	p.wg.Wait()
}

// ranges splits [0, n) into one contiguous chunk per worker and calls fn(w, lo, hi).
func (p *pool) ranges(n int, fn func(w, lo, hi int)) {
	nw := min(p.threads, n)
	if nw <= 0 {
		return
	}
	p.each(nw, func(w, t int) { fn(w, t*n/nw, (t+1)*n/nw) })
}

// mul computes C = A·B (or C += A·B) on all workers, splitting whichever of C's dimensions has
// more micro-tiles. The split cannot change the result (see gemm.Workspace.Mul).
func (p *pool) mul(c []float32, ldc int, a, b gemm.Matrix, acc bool) {
	mr, nr := p.ws[0].Tile()
	mt, nt := (a.Rows+mr-1)/mr, (b.Cols+nr-1)/nr
	if mt >= nt {
		p.ranges(mt, func(w, lo, hi int) {
			sub := a
			sub.Data = a.Data[lo*mr*a.RowStride:]
			sub.Rows = min(hi*mr, a.Rows) - lo*mr
			p.ws[w].Mul(c[lo*mr*ldc:], ldc, sub, b, acc)
		})
		return
	}
	p.ranges(nt, func(w, lo, hi int) {
		sub := b
		sub.Data = b.Data[lo*nr*b.ColStride:]
		sub.Cols = min(hi*nr, b.Cols) - lo*nr
		p.ws[w].Mul(c[lo*nr:], ldc, a, sub, acc)
	})
}
