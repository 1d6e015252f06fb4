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
