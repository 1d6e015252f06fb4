package models

import (
	"math"

	"github.com/hark-audio/hark/models/internal/vecf"
)

// activate applies an activation in place.
func activate(act string, y []float32) { biasActivate(act, y, 0) }

// biasActivate adds bias to y and applies the activation. Bias and ReLU are one vectorised
// pass (vecf.Affine).
func biasActivate(act string, y []float32, bias float32) {
	if act == ActReLU || bias != 0 {
		vecf.Affine(y, y, 1, bias, act == ActReLU)
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
		vecf.ReLUGrad(dst, y, gy)
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
