package models

import "math"

// activate applies an activation in place.
func activate(act string, y []float32) { biasActivate(act, y, 0) }

// biasActivate adds bias to y and applies the activation, in one pass. The ReLU loops are
// branch-free (max compiles to MINSS/MAXSS): on real data the sign is unpredictable and a
// branch per value costs more than the arithmetic.
func biasActivate(act string, y []float32, bias float32) {
	if act == ActReLU {
		for i, v := range y {
			y[i] = max(v+bias, 0)
		}
		return
	}
	if bias != 0 {
		for i := range y {
			y[i] += bias
		}
	}
	switch act {
	case ActELU:
		for i, v := range y {
			if v < 0 {
				y[i] = float32(math.Expm1(float64(v)))
			}
		}
	case ActTanh:
		for i, v := range y {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case ActSigmoid:
		for i, v := range y {
			y[i] = sigmoid(v)
		}
	}
}

func sigmoid(v float32) float32 {
	if v >= 0 {
		return float32(1 / (1 + math.Exp(-float64(v))))
	}
	e := math.Exp(float64(v))
	return float32(e / (1 + e))
}

// actGrad writes dst = gy * f'(x) where y = f(x); every supported activation's derivative is a
// function of its output, so the pre-activation values need not be kept.
func actGrad(act string, y, gy, dst []float32) {
	dst = dst[:len(y)]
	gy = gy[:len(y)]
	switch act {
	case ActReLU:
		// y >= 0, so y > 0 exactly when its bits are non-zero: -bits is then negative and the
		// arithmetic shift makes an all-ones mask, without a branch.
		for i, v := range y {
			m := uint32(-int32(math.Float32bits(v)) >> 31)
			dst[i] = math.Float32frombits(math.Float32bits(gy[i]) & m)
		}
	case ActELU:
		for i, v := range y {
			if v > 0 {
				dst[i] = gy[i]
			} else {
				dst[i] = gy[i] * (v + 1)
			}
		}
	case ActTanh:
		for i, v := range y {
			dst[i] = gy[i] * (1 - v*v)
		}
	case ActSigmoid:
		for i, v := range y {
			dst[i] = gy[i] * v * (1 - v)
		}
	default:
		copy(dst, gy)
	}
}
