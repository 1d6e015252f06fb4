//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// kern8x32AVX512 computes an 8×32 tile with sixteen ZMM accumulators.
//
//go:noescape
func kern8x32AVX512(k int, a, b, c *float32, ldc int, accumulate bool)

// kern6x16AVX2 computes a 6×16 tile with twelve YMM accumulators.
//
//go:noescape
func kern6x16AVX2(k int, a, b, c *float32, ldc int, accumulate bool)

// dotNT3x4AVX2 and dotNT6x4AVX512 compute a 3×4 or 6×4 tile of A·Bᵀ from unpacked rows: the
// rows of A by their addresses, rows of B at a stride (see MulNT).
//
//go:noescape
func dotNT3x4AVX2(k int, a *[6]*float32, b *float32, ldb int, c *float32, ldc int, accumulate bool)

//go:noescape
func dotNT6x4AVX512(k int, a *[6]*float32, b *float32, ldb int, c *float32, ldc int, accumulate bool)

// ntKernels lists the A·Bᵀ tile kernels usable here, best last.
func ntKernels() []ntSpec {
	var ks []ntSpec
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, ntSpec{tm: 3, tn: 4, kq: 8, fn: ntFunc(3, dotNT3x4AVX2)})
	}
	if cpu.X86.HasAVX512F {
		ks = append(ks, ntSpec{tm: 6, tn: 4, kq: 1, fn: ntFunc(6, dotNT6x4AVX512)})
	}
	return ks
}

// ntFunc wraps an assembly tile kernel of tm rows of A with the bounds checks it relies on.
func ntFunc(tm int, asm func(k int, a *[6]*float32, b *float32, ldb int, c *float32, ldc int, accumulate bool)) ntKern {
	return func(k int, a *[6][]float32, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
		var ptrs [6]*float32
		for i := 0; i < tm; i++ {
			ptrs[i] = &a[i][:k][0]
		}
		_ = b[3*ldb+k-1]
		_ = c[(tm-1)*ldc+3]
		asm(k, &ptrs, &b[0], ldb, &c[0], ldc, accumulate)
	}
}

func avx512Kernel(k int, a, b, c []float32, ldc int, accumulate bool) {
	_ = a[8*k-1]
	_ = b[32*k-1]
	_ = c[7*ldc+31]
	kern8x32AVX512(k, &a[0], &b[0], &c[0], ldc, accumulate)
}

func avx2Kernel(k int, a, b, c []float32, ldc int, accumulate bool) {
	_ = a[6*k-1]
	_ = b[16*k-1]
	_ = c[5*ldc+15]
	kern6x16AVX2(k, &a[0], &b[0], &c[0], ldc, accumulate)
}

func bestKernel() kernel {
	switch {
	case cpu.X86.HasAVX512F:
		return kernel{mr: 8, nr: 32, fn: avx512Kernel}
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return kernel{mr: 6, nr: 16, fn: avx2Kernel}
	}
	return generic
}

// kernels lists every kernel usable here, for tests that compare them.
func kernels() []kernel {
	ks := []kernel{generic}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, kernel{mr: 6, nr: 16, fn: avx2Kernel})
	}
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernel{mr: 8, nr: 32, fn: avx512Kernel})
	}
	return ks
}
