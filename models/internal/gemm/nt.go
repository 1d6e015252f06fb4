package gemm

// ntBlock is the depth of one pass of MulNT: a block of B's rows this deep (n·ntBlock floats)
// stays in L2 while every tile of A's rows passes over it.
const ntBlock = 768

// MulNT computes C = A·Bᵀ, or C += A·Bᵀ when accumulate is set, for A (m×k) and B (n×k) whose
// rows are contiguous (ColStride 1): the form of a convolution's weight gradient, where both
// operands run along the output positions. Nothing is packed: a dot-product micro-kernel
// reads the rows in place, so the cost of transposing a strided operand is gone. A may have
// row offsets (Matrix.RowOff), B may not.
//
// Each element is summed in blocks of 768 along k, each block as lane-wise partial sums (8 or
// 16 lanes, by CPU) reduced in a fixed order; the order depends only on the shapes and the
// CPU, never on how callers split the rows of C between goroutines. Edge tiles are summed in
// Go.
func (w *Workspace) MulNT(c []float32, ldc int, a, b Matrix, accumulate bool) {
	mulNT(w.nt, &w.ntRows, c, ldc, a, b, accumulate)
}

// ntKern computes a tile of A·Bᵀ over k values: the first rows of a, rows of B from b at
// stride ldb, into c with row stride ldc.
type ntKern func(k int, a *[6][]float32, b []float32, ldb int, c []float32, ldc int, accumulate bool)

// ntSpec is an A·Bᵀ tile kernel: tm rows of A by tn rows of B, over a multiple of kq values.
// The zero value means none: Go sums every element.
type ntSpec struct {
	tm, tn, kq int
	fn         ntKern
}

func mulNT(ks ntSpec, rows *[6][]float32, c []float32, ldc int, a, b Matrix, accumulate bool) {
	m, n, k := a.Rows, b.Rows, a.Cols
	if b.Cols != k || a.ColStride != 1 || b.ColStride != 1 || b.RowOff != nil {
		panic("gemm: MulNT needs A (m×k) and B (n×k) with unit column stride, B without row offsets")
	}
	tm, tn, kq, kern := ks.tm, ks.tn, ks.kq, ks.fn
	for p0 := 0; p0 < k || p0 == 0; p0 += ntBlock {
		kb := min(ntBlock, k-p0)
		acc := accumulate || p0 > 0
		kk := 0 // the part of the block the kernel takes; Go sums the rest
		if kq > 0 {
			kk = kb / kq * kq
		}
		for i := 0; i < m; i += max(tm, 1) {
			for j := 0; j < n; j += max(tn, 1) {
				if kern != nil && kk > 0 && i+tm <= m && j+tn <= n {
					for r := 0; r < tm; r++ {
						rows[r] = a.Data[a.row(i+r)+p0:]
					}
					kern(kk, rows, b.Data[b.row(j)+p0:], b.RowStride, c[i*ldc+j:], ldc, acc)
					if kk < kb {
						for ii := i; ii < i+tm; ii++ {
							for jj := j; jj < j+tn; jj++ {
								c[ii*ldc+jj] += dot(a.Data[a.row(ii)+p0+kk:][:kb-kk], b.Data[b.row(jj)+p0+kk:])
							}
						}
					}
					continue
				}
				for ii := i; ii < min(i+max(tm, 1), m); ii++ {
					for jj := j; jj < min(j+max(tn, 1), n); jj++ {
						s := dot(a.Data[a.row(ii)+p0:][:kb], b.Data[b.row(jj)+p0:])
						if acc {
							s += c[ii*ldc+jj]
						}
						c[ii*ldc+jj] = s
					}
				}
			}
		}
		if k == 0 {
			break
		}
	}
}

// dot returns Σ x[i]·y[i] over x, in four interleaved partial sums.
func dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
