package gemm

// Blocking sizes (in elements) chosen so that a packed KC×NR panel of B stays in L1, a packed
// MC×KC block of A in L2 and a packed KC×NC block of B in L3 on current x86 cores.
const (
	kc = 256
	mc = 128
	nc = 2048
)

// Matrix is a strided view of a float32 matrix: element (i, j) is Data[i*RowStride+j*ColStride].
// A row-major r×c matrix has RowStride c and ColStride 1; its transpose is the same data with
// the two strides swapped.
//
// With RowOff set, row i starts at Data[RowOff[i]] instead (RowStride is unused): rows that
// overlap in memory, as the windows of a convolution's input do, so that the convolution is a
// product without an im2col copy. Mul takes such a B, MulNT such an A; T does not apply.
type Matrix struct {
	Data                 []float32
	Rows, Cols           int
	RowStride, ColStride int
	RowOff               []int
}

// row returns the offset of row i's first element.
func (m Matrix) row(i int) int {
	if m.RowOff != nil {
		return m.RowOff[i]
	}
	return i * m.RowStride
}

// RowMajor returns the row-major rows×cols view of data.
func RowMajor(data []float32, rows, cols int) Matrix {
	return Matrix{Data: data, Rows: rows, Cols: cols, RowStride: cols, ColStride: 1}
}

// T returns the transpose of m without copying.
func (m Matrix) T() Matrix {
	if m.RowOff != nil {
		panic("gemm: transpose of a matrix with row offsets")
	}
	return Matrix{Data: m.Data, Rows: m.Cols, Cols: m.Rows, RowStride: m.ColStride, ColStride: m.RowStride}
}

func (m Matrix) at(i, j int) float32 { return m.Data[m.row(i)+j*m.ColStride] }

// Workspace holds the packing buffers of one goroutine. It is not safe for concurrent use: give
// each worker its own. The zero value is not usable; call NewWorkspace.
type Workspace struct {
	k      kernel
	nt     ntSpec
	ntRows [6][]float32 // MulNT's row views, here so that they do not escape per call
	packA  []float32
	packB  []float32
	tile   []float32
}

// NewWorkspace returns a workspace that uses the fastest micro-kernel this CPU supports.
func NewWorkspace() *Workspace { return newWorkspace(bestKernel()) }

func newWorkspace(k kernel) *Workspace {
	var nt ntSpec
	if ks := ntKernels(); len(ks) > 0 {
		nt = ks[len(ks)-1]
	}
	return &Workspace{
		k:     k,
		nt:    nt,
		packA: make([]float32, roundUp(mc, k.mr)*kc),
		packB: make([]float32, kc*roundUp(nc, k.nr)),
		tile:  make([]float32, k.mr*k.nr),
	}
}

// Tile reports the micro-kernel's tile (rows, columns): splitting work between workspaces on
// multiples of these keeps every tile full.
func (w *Workspace) Tile() (mr, nr int) { return w.k.mr, w.k.nr }

// Mul computes C = A·B, or C += A·B when accumulate is set. C is row-major with row stride ldc
// (at least B.Cols). A.Cols must equal B.Rows and C must hold A.Rows rows; callers (the model
// kernels) guarantee the shapes, so a mismatch is a programming error and panics.
//
// Each element of C is summed over k in increasing order in blocks of 256, whichever part of
// C is computed and however the work is split, so results do not depend on the split.
func (w *Workspace) Mul(c []float32, ldc int, a, b Matrix, accumulate bool) {
	m, n, k := a.Rows, b.Cols, a.Cols
	if b.Rows != k {
		panic("gemm: inner dimensions differ")
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(w.packB, b, pc, kb, jc, nb, w.k.nr)
			w.block(c, ldc, a, w.packB, pc, kb, jc, nb, accumulate || pc > 0)
		}
	}
}

// block multiplies A[:, pc:pc+kb] by one packed kb×nb block of B into C[:, jc:jc+nb].
func (w *Workspace) block(c []float32, ldc int, a Matrix, pb []float32, pc, kb, jc, nb int, acc bool) {
	mr, nr := w.k.mr, w.k.nr
	m := a.Rows
	for ic := 0; ic < m; ic += mc {
		mb := min(mc, m-ic)
		packA(w.packA, a, ic, mb, pc, kb, mr)
		for jr := 0; jr < nb; jr += nr {
			nn := min(nr, nb-jr)
			pbj := pb[jr*kb:]
			for ir := 0; ir < mb; ir += mr {
				mm := min(mr, mb-ir)
				pa := w.packA[ir*kb:]
				off := (ic+ir)*ldc + jc + jr
				if mm == mr && nn == nr {
					w.k.fn(kb, pa, pbj, c[off:], ldc, acc)
					continue
				}
				w.k.fn(kb, pa, pbj, w.tile, nr, false)
				for i := 0; i < mm; i++ {
					dst := c[off+i*ldc : off+i*ldc+nn]
					src := w.tile[i*nr : i*nr+nn]
					if acc {
						for j, v := range src {
							dst[j] += v
						}
					} else {
						copy(dst, src)
					}
				}
			}
		}
	}
}

// Packed is a right-hand operand packed once for many products (a recurrent weight matrix
// used at every time step). Its zero value is empty; Pack fills it, reusing its memory.
type Packed struct {
	data       []float32
	rows, cols int
	nr         int
}

// Pack packs b into p for MulPacked on workspaces of this CPU's kernel.
func (w *Workspace) Pack(p *Packed, b Matrix) {
	nr := w.k.nr
	size := 0
	for jc := 0; jc < b.Cols; jc += nc {
		size += b.Rows * roundUp(min(nc, b.Cols-jc), nr)
	}
	if cap(p.data) < size {
		p.data = make([]float32, size)
	}
	p.data, p.rows, p.cols, p.nr = p.data[:size], b.Rows, b.Cols, nr
	o := 0
	for jc := 0; jc < b.Cols; jc += nc {
		nb := min(nc, b.Cols-jc)
		for pc := 0; pc < b.Rows; pc += kc {
			kb := min(kc, b.Rows-pc)
			packB(p.data[o:], b, pc, kb, jc, nb, nr)
			o += kb * roundUp(nb, nr)
		}
	}
}

// MulPacked computes C = A·B or C += A·B for a B packed by Pack; the result is bit for bit
// that of Mul with the unpacked B.
func (w *Workspace) MulPacked(c []float32, ldc int, a Matrix, b *Packed, accumulate bool) {
	if b.rows != a.Cols || b.nr != w.k.nr {
		panic("gemm: packed operand does not fit")
	}
	if a.Rows == 0 || b.cols == 0 || b.rows == 0 {
		w.Mul(c, ldc, a, RowMajor(nil, b.rows, b.cols), accumulate)
		return
	}
	o := 0
	for jc := 0; jc < b.cols; jc += nc {
		nb := min(nc, b.cols-jc)
		for pc := 0; pc < b.rows; pc += kc {
			kb := min(kc, b.rows-pc)
			w.block(c, ldc, a, b.data[o:], pc, kb, jc, nb, accumulate || pc > 0)
			o += kb * roundUp(nb, b.nr)
		}
	}
}

// packA copies A[i0:i0+mb, p0:p0+kb] into panels of mr rows: panel r holds, for each p, the mr
// values of rows r*mr..r*mr+mr-1 (zero past the last row).
func packA(dst []float32, a Matrix, i0, mb, p0, kb, mr int) {
	o := 0
	for ir := 0; ir < mb; ir += mr {
		mm := min(mr, mb-ir)
		for p := 0; p < kb; p++ {
			if a.RowOff != nil {
				for i := 0; i < mm; i++ {
					dst[o+i] = a.Data[a.RowOff[i0+ir+i]+(p0+p)*a.ColStride]
				}
			} else {
				base := (i0+ir)*a.RowStride + (p0+p)*a.ColStride
				for i := 0; i < mm; i++ {
					dst[o+i] = a.Data[base+i*a.RowStride]
				}
			}
			for i := mm; i < mr; i++ {
				dst[o+i] = 0
			}
			o += mr
		}
	}
}

// packB copies B[p0:p0+kb, j0:j0+nb] into panels of nr columns: panel r holds, for each p, the
// nr values of columns r*nr..r*nr+nr-1 (zero past the last column).
func packB(dst []float32, b Matrix, p0, kb, j0, nb, nr int) {
	o := 0
	for jr := 0; jr < nb; jr += nr {
		nn := min(nr, nb-jr)
		for p := 0; p < kb; p++ {
			base := b.row(p0+p) + (j0+jr)*b.ColStride
			d := dst[o : o+nr]
			if b.ColStride == 1 {
				copy(d[:nn], b.Data[base:base+nn])
			} else {
				for j := 0; j < nn; j++ {
					d[j] = b.Data[base+j*b.ColStride]
				}
			}
			clear(d[nn:])
			o += nr
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// kernel is a micro-kernel computing an mr×nr tile of C from packed panels.
type kernel struct {
	mr, nr int
	fn     func(k int, a, b, c []float32, ldc int, accumulate bool)
}

// genericKernel is the portable 4×4 micro-kernel: sixteen scalar accumulators that the Go
// compiler keeps in registers.
func genericKernel(k int, a, b, c []float32, ldc int, accumulate bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < 4*k; p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0, b1, b2, b3 := b[p], b[p+1], b[p+2], b[p+3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	rows := [4][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	for i := range rows {
		dst := c[i*ldc : i*ldc+4]
		if accumulate {
			for j := range dst {
				dst[j] += rows[i][j]
			}
		} else {
			copy(dst, rows[i][:])
		}
	}
}

var generic = kernel{mr: 4, nr: 4, fn: genericKernel}
