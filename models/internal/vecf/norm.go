package vecf

// Sum64 returns Σ x[i] in float64.
func Sum64(x []float32) float64 {
	n := vecLen(len(x), 16)
	return sum64(x[:n]) + sum64Go(x[n:])
}

// SqDev64 returns Σ (x[i]-mean)² in float64.
func SqDev64(x []float32, mean float64) float64 {
	n := vecLen(len(x), 16)
	return sqDev64(x[:n], mean) + sqDev64Go(x[n:], mean)
}

// GradSums64 returns Σ g[i] and Σ g[i]·((x[i]-mean)·inv), the product in float32 and the sums
// in float64: batch norm's backward sums. x must be at least as long as g.
func GradSums64(g, x []float32, mean, inv float32) (sg, sgx float64) {
	x = x[:len(g)]
	n := vecLen(len(g), 8)
	sg, sgx = gradSums64(g[:n], x[:n], mean, inv)
	tg, tgx := gradSums64Go(g[n:], x[n:], mean, inv)
	return sg + tg, sgx + tgx
}

// Affine sets dst[i] = x[i]·scale + shift, then max(dst[i], 0) when relu. dst may be x.
func Affine(dst, x []float32, scale, shift float32, relu bool) {
	x = x[:len(dst)]
	n := vecLen(len(dst), 8)
	affine(dst[:n], x[:n], scale, shift, relu)
	affineGo(dst[n:], x[n:], scale, shift, relu)
}

// Combine sets dst[i] = a·g[i] + b·x[i] + c. dst may be g or x.
func Combine(dst, g, x []float32, a, b, c float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	n := vecLen(len(dst), 8)
	combine(dst[:n], g[:n], x[:n], a, b, c)
	combineGo(dst[n:], g[n:], x[n:], a, b, c)
}

// ReLUGrad sets dst[i] = gy[i] where y[i] > 0 and 0 elsewhere: the gradient through a ReLU
// whose outputs are y.
func ReLUGrad(dst, y, gy []float32) {
	y, gy = y[:len(dst)], gy[:len(dst)]
	n := vecLen(len(dst), 8)
	reluGrad(dst[:n], y[:n], gy[:n])
	reluGradGo(dst[n:], y[n:], gy[n:])
}

func sum64Go(x []float32) float64 {
	var s [4]float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s[0] += float64(x[i])
		s[1] += float64(x[i+1])
		s[2] += float64(x[i+2])
		s[3] += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s[0] += float64(x[i])
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

func sqDev64Go(x []float32, mean float64) float64 {
	var s [4]float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		for u := 0; u < 4; u++ {
			d := float64(x[i+u]) - mean
			s[u] += d * d
		}
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - mean
		s[0] += d * d
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

func gradSums64Go(g, x []float32, mean, inv float32) (sg, sgx float64) {
	x = x[:len(g)]
	for i, v := range g {
		sg += float64(v)
		sgx += float64(v * ((x[i] - mean) * inv))
	}
	return sg, sgx
}

func affineGo(dst, x []float32, scale, shift float32, relu bool) {
	x = x[:len(dst)]
	for i, v := range x {
		r := v*scale + shift
		if relu {
			r = max(r, 0)
		}
		dst[i] = r
	}
}

func combineGo(dst, g, x []float32, a, b, c float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		dst[i] = a*g[i] + b*x[i] + c
	}
}

func reluGradGo(dst, y, gy []float32) {
	y, gy = y[:len(dst)], gy[:len(dst)]
	for i, v := range y {
		if v > 0 {
			dst[i] = gy[i]
		} else {
			dst[i] = 0
		}
	}
}
