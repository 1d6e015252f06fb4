package features

import (
	"math"
)

// DBOptions configure PowerToDB like librosa.power_to_db's arguments. The zero value is
// librosa's default: ref 1.0, amin 1e-10, top_db 80.
type DBOptions struct {
	// Ref is the reference power (0 means 1.0; its absolute value is used, as librosa does).
	Ref float64
	// RefMax uses the largest value of the input as the reference (ref=numpy.max); Ref is
	// then ignored.
	RefMax bool
	// AMin is the floor applied to the input and to the reference; 0 (or negative) means 1e-10.
	AMin float64
	// TopDB clips the output to TopDB below its maximum; 0 means 80, negative means no clipping
	// (top_db=None).
	TopDB float64
}

// resolved returns o with its defaults filled in, so that equivalent options compare equal.
func (o DBOptions) resolved() DBOptions {
	if !(o.AMin > 0) {
		o.AMin = 1e-10
	}
	if o.TopDB == 0 {
		o.TopDB = 80
	}
	o.Ref = math.Abs(o.Ref)
	if o.Ref == 0 || o.RefMax {
		o.Ref = 1
	}
	return o
}

// PowerToDB converts a power spectrogram to decibels: 10*log10(max(amin, S)) -
// 10*log10(max(amin, ref)), then max(x, x.max() - top_db) over the whole matrix
// (librosa.power_to_db). dst may be s itself; it is reused when its storage is large enough
// (nil allocates) and returned.
func PowerToDB(dst, s *Matrix, opt DBOptions) *Matrix {
	opt = opt.resolved()
	amin, topDB, ref := opt.AMin, opt.TopDB, opt.Ref
	if opt.RefMax {
		ref = math.Inf(-1)
		for _, v := range s.Data {
			ref = math.Max(ref, float64(v))
		}
	}
	// librosa compares in float32 (numpy casts the Python float amin to the array's dtype).
	amin32 := float32(amin)
	refDB := float32(10 * math.Log10(math.Max(amin, ref)))
	if len(s.Data) == 0 {
		refDB = 0
	}
	src := s.Data
	dst = reuseMatrix(dst, s.Rows, s.Cols)
	out := dst.Data[:len(src)]
	top := float32(math.Inf(-1))
	for i, v := range src {
		// NaN passes through max unchanged, as with numpy.maximum.
		if v < amin32 {
			v = amin32
		}
		x := float32(10*log10(float64(v))) - refDB
		out[i] = x
		if x > top {
			top = x
		}
	}
	if topDB > 0 {
		floor := float32(float64(top) - topDB)
		for i, x := range out {
			if x < floor {
				out[i] = floor
			}
		}
	}
	return dst
}

// log10 is math.Log10 for positive finite x, faster, with an absolute error below 1e-11
// (a dB value is stored as float32, whose resolution is about 1e-6 dB at 10 dB): the mantissa
// m in [sqrt(1/2), sqrt(2)) goes through ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716,
// whose odd series is cut after s^11 (the first omitted term, s^13/13, is below 1e-11 and
// relative to ln m below 3e-11) and evaluated by Estrin's scheme to keep the dependency chain
// short. Zero, infinities, NaN, negatives and subnormals take math.Log10.
func log10(x float64) float64 {
	bits := math.Float64bits(x)
	if exp := bits >> 52; exp == 0 || exp >= 0x7ff { // zero, subnormal, Inf, NaN or negative
		return math.Log10(x)
	}
	// Split x = m * 2^e with m in [sqrt(1/2), sqrt(2)) without a branch (musl's log): adding
	// 1 - sqrt(1/2) in the bit domain carries into the exponent exactly when the mantissa is
	// at least sqrt(2), and the mantissa bits are then offset back.
	const sqrtHalfBits = 0x3fe6a09e667f3bcd
	u := bits + (0x3ff0000000000000 - sqrtHalfBits)
	e := int(u>>52) - 0x3ff
	m := math.Float64frombits(u&(1<<52-1) + sqrtHalfBits)
	s := (m - 1) / (m + 1)
	s2 := s * s
	s4 := s2 * s2
	// 1 + s2/3 + s4/5 + s6/7 + s8/9 + s10/11
	p := (1 + s2*(1.0/3)) + s4*((1.0/5+s2*(1.0/7))+s4*(1.0/9+s2*(1.0/11)))
	return (2*s*p + float64(e)*math.Ln2) * (1 / math.Ln10)
}
