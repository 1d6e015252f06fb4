package vecf

import "math"

// expf is a float32 exp accurate to about 2 ulp (Cephes's expf: range reduction by ln 2 in
// two parts, a degree-5 polynomial, the power of two set in the exponent bits), several times
// faster than converting to float64 for math.Exp. Arguments are clamped to [-87.3, 88.3], so
// the result is always a finite normal number. The assembly kernels compute the same steps
// with fused multiply-adds.
func expf(x float32) float32 {
	x = min(max(x, -87.3), 88.3)
	fx := x*1.44269504088896341 + 0.5
	n := int32(fx)
	if float32(n) > fx {
		n-- // floor for negative arguments
	}
	fn := float32(n)
	x = x - fn*0.693359375 + fn*2.12194440e-4
	z := x * x
	y := ((((1.9875691500e-4*x+1.3981999507e-3)*x+8.3334519073e-3)*x+4.1665795894e-2)*x+1.6666665459e-1)*x + 5.0000001201e-1
	y = y*z + x + 1
	return y * math.Float32frombits(uint32(n+127)<<23)
}

// expActGo sets dst[i] = c0 + c1/(exp(a*(src[i]+bias[i]))+1); bias may be nil.
func expActGo(dst, src, bias []float32, a, c0, c1 float32) {
	src = src[:len(dst)]
	if bias != nil {
		bias = bias[:len(dst)]
	}
	for i, v := range src {
		if bias != nil {
			v += bias[i]
		}
		dst[i] = c0 + c1/(expf(a*v)+1)
	}
}

// Logistic sets dst[i] = 1/(1+exp(-(src[i]+bias[i]))), with bias nil meaning zero. dst may be
// src. The absolute error is below 2e-7.
func Logistic(dst, src, bias []float32) { expAct(dst, src, bias, -1, 0, 1) }

// MaxGather folds one pooling-window tap into running maxima: for each i < len(y), with
// j = idx[i]+off, where x[j] > y[i] it sets y[i] = x[j] and arg[i] = j (the first maximum
// wins ties; a NaN never replaces a value). idx must be increasing and arg and idx at least
// as long as y.
func MaxGather(y []float32, arg []int32, x []float32, idx []int32, off int32) {
	if len(y) == 0 {
		return
	}
	_ = arg[len(y)-1]
	_ = x[idx[len(y)-1]+off]
	if idx[0]+off < 0 {
		panic("vecf: negative gather index")
	}
	maxGather(y, arg, x, idx, off)
}

// Tanh sets dst[i] = tanh(src[i]+bias[i]) as 1 - 2/(exp(2x)+1), with bias nil meaning zero.
// dst may be src. The absolute error is below 3e-7 (the relative error grows for |x| < 1e-3).
func Tanh(dst, src, bias []float32) { expAct(dst, src, bias, 2, 1, -2) }

// maxGatherGo is MaxGather's portable body.
func maxGatherGo(y []float32, arg []int32, x []float32, idx []int32, off int32) {
	arg = arg[:len(y)]
	idx = idx[:len(y)]
	for i, best := range y {
		j := idx[i] + off
		if v := x[j]; v > best {
			y[i], arg[i] = v, j
		}
	}
}
