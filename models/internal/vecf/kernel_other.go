//go:build !amd64 || purego

package vecf

func expAct(dst, src, bias []float32, a, c0, c1 float32) { expActGo(dst, src, bias, a, c0, c1) }

func maxGather(y []float32, arg []int32, x []float32, idx []int32, off int32) {
	maxGatherGo(y, arg, x, idx, off)
}

// vecLen is zero: every value goes to the Go loops.
func vecLen(int, int) int { return 0 }

func sum64([]float32) float64                                    { return 0 }
func sqDev64([]float32, float64) float64                         { return 0 }
func gradSums64(_, _ []float32, _, _ float32) (float64, float64) { return 0, 0 }
func affine(_, _ []float32, _, _ float32, _ bool)                {}
func combine(_, _, _ []float32, _, _, _ float32)                 {}
func reluGrad(_, _, _ []float32)                                 {}
