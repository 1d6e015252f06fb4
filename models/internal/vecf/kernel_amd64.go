//go:build amd64 && !purego

package vecf

import "golang.org/x/sys/cpu"

//go:noescape
func expActAVX2(dst, src, bias *float32, n int, a, c0, c1 float32)

//go:noescape
func maxGatherAVX2(y *float32, arg *int32, x *float32, idx *int32, n int, off int32)

//go:noescape
func sum64AVX2(x *float32, n int) float64

//go:noescape
func sqDev64AVX2(x *float32, n int, mean float64) float64

//go:noescape
func gradSums64AVX2(gs, x *float32, n int, mean, inv float32) (sg, sgx float64)

//go:noescape
func affineAVX2(dst, x *float32, n int, scale, shift float32, relu bool)

//go:noescape
func combineAVX2(dst, gs, x *float32, n int, a, b, c float32)

//go:noescape
func reluGradAVX2(dst, y, gy *float32, n int)

func hasAVX2() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// vecLen is the length of the prefix of n values that the assembly kernels take, in steps of
// step; the rest goes to the Go loops.
func vecLen(n, step int) int {
	if !hasAVX2() {
		return 0
	}
	return n / step * step
}

// The kernels below take slices of length vecLen (zero, or a multiple of the step).

func sum64(x []float32) float64 {
	if len(x) == 0 {
		return 0
	}
	return sum64AVX2(&x[0], len(x))
}

func sqDev64(x []float32, mean float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return sqDev64AVX2(&x[0], len(x), mean)
}

func gradSums64(g, x []float32, mean, inv float32) (float64, float64) {
	if len(g) == 0 {
		return 0, 0
	}
	return gradSums64AVX2(&g[0], &x[0], len(g), mean, inv)
}

func affine(dst, x []float32, scale, shift float32, relu bool) {
	if len(dst) > 0 {
		affineAVX2(&dst[0], &x[0], len(dst), scale, shift, relu)
	}
}

func combine(dst, g, x []float32, a, b, c float32) {
	if len(dst) > 0 {
		combineAVX2(&dst[0], &g[0], &x[0], len(dst), a, b, c)
	}
}

func reluGrad(dst, y, gy []float32) {
	if len(dst) > 0 {
		reluGradAVX2(&dst[0], &y[0], &gy[0], len(dst))
	}
}

func expAct(dst, src, bias []float32, a, c0, c1 float32) {
	n := len(dst) &^ 7
	if !hasAVX2() || n == 0 {
		expActGo(dst, src, bias, a, c0, c1)
		return
	}
	_ = src[n-1]
	var bp *float32
	if bias != nil {
		_ = bias[n-1]
		bp = &bias[0]
	}
	expActAVX2(&dst[0], &src[0], bp, n, a, c0, c1)
	if n < len(dst) {
		var bt []float32
		if bias != nil {
			bt = bias[n:]
		}
		expActGo(dst[n:], src[n:], bt, a, c0, c1)
	}
}

func maxGather(y []float32, arg []int32, x []float32, idx []int32, off int32) {
	n := len(y) &^ 7
	if hasAVX2() && n > 0 {
		maxGatherAVX2(&y[0], &arg[0], &x[0], &idx[0], n, off)
	}
	if n < len(y) {
		maxGatherGo(y[n:], arg[n:], x, idx[n:], off)
	}
}
