package render

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/hark-audio/hark/features"
)

// Axis describes the rows (bins) of a matrix, for the y axis's tick labels and the cursor
// readout. The zero Axis labels rows by their index.
type Axis struct {
	// Name is the quantity in the cursor readout, as "f" in "f=440 Hz"; empty means "bin".
	Name string
	// Unit follows values in the readout and names the axis in the corner under its labels.
	Unit string
	// Centers holds the value at each bin's centre, ascending (Hz for frequency axes).
	// When its length, or that of Labels, is not the matrix's row count, the whole Axis is
	// set aside and rows are labelled by index.
	Centers []float64
	// Labels, when its length is the row count, names the bins (note names for chroma):
	// ticks show names instead of numbers, and bins with an empty name get none.
	Labels []string
}

// LinearFreqAxis describes the rows of an STFT with nfft points at sample rate sr: the
// nfft/2+1 bins centred on k*sr/nfft Hz, as librosa.fft_frequencies gives them. Invalid
// arguments give an index axis.
func LinearFreqAxis(sr, nfft int) Axis {
	if sr <= 0 || nfft <= 0 {
		return IndexAxis(max(nfft/2+1, 0), "bin")
	}
	return Axis{Name: "f", Unit: "Hz", Centers: features.FFTFrequencies(sr, nfft)}
}

// MelAxis describes the rows of a mel spectrogram with nMels bands between fmin and fmax Hz
// (Slaney's mel scale, or HTK's when htk is set): band i is centred on the peak of its
// triangular filter, mel_frequencies(nMels+2, fmin, fmax)[i+1] in librosa's terms.
func MelAxis(nMels int, fmin, fmax float64, htk bool) Axis {
	if nMels <= 0 {
		return IndexAxis(0, "mel")
	}
	f := features.MelFrequencies(nMels+2, fmin, fmax, htk)
	if len(f) != nMels+2 {
		return IndexAxis(nMels, "mel")
	}
	return Axis{Name: "f", Unit: "Hz", Centers: f[1 : nMels+1]}
}

// ChromaAxis describes the n rows of a chromagram, starting at C as librosa's chroma does:
// bins that fall on a semitone (all of them when n is 12) are named C, C#, D, ... B, and
// centres count semitones above C.
func ChromaAxis(n int) Axis {
	names := [12]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}
	n = max(n, 0)
	a := Axis{Name: "note", Centers: make([]float64, n), Labels: make([]string, n)}
	for k := range n {
		a.Centers[k] = float64(k) * 12 / float64(n)
		if k*12%n == 0 {
			a.Labels[k] = names[k*12/n]
		}
	}
	return a
}

// IndexAxis describes n rows labelled 0..n-1, such as MFCC coefficients, called name in the
// readout and the corner.
func IndexAxis(n int, name string) Axis {
	c := make([]float64, max(n, 0))
	for k := range c {
		c[k] = float64(k)
	}
	return Axis{Name: name, Centers: c}
}

// forRows returns a, or where its centres or labels do not match n rows, the zero Axis: a
// frequency unit on bin indices would mislabel them.
func (a Axis) forRows(n int) Axis {
	if a.Centers != nil && len(a.Centers) != n || a.Labels != nil && len(a.Labels) != n {
		return Axis{}
	}
	return a
}

func (a Axis) name() string {
	if a.Name == "" {
		return "bin"
	}
	return clean(a.Name)
}

// corner is the axis' caption under its tick labels: the unit, or for a numbered axis without
// one, its name.
func (a Axis) corner() string {
	switch {
	case a.Unit != "":
		return clean(a.Unit)
	case a.Labels != nil:
		return ""
	}
	return a.name()
}

// describe is the readout of bin i of n: "f=440 Hz", "note=C#", "mfcc=3".
func (a Axis) describe(i, n int) string {
	s := a.name() + "="
	switch {
	case len(a.Labels) == n && a.Labels[i] != "":
		return s + clean(a.Labels[i])
	case len(a.Centers) == n:
		s += formatValue(a.Centers[i])
	default:
		s += strconv.Itoa(i)
	}
	if a.Unit != "" {
		s += " " + clean(a.Unit)
	}
	return s
}

// scale maps the cells along one side of the plot (cell 0 at the bottom or the left) onto an
// index space [lo, hi) of bins, frames, samples or amplitude, and positions in that space onto
// values. Item i of a matrix or signal occupies [i, i+1), so its centre is at i+0.5.
type scale struct {
	cells  int
	lo, hi float64
	val    func(x float64) float64 // the value at index-space position x
	inv    func(v float64) float64 // val's inverse where val is linear, else nil
	// minStep is the finest tick step (1 for counts); compact writes thousands as "2k".
	minStep float64
	compact bool
	names   []string // for named items: ticks show these
}

func (s scale) cellWidth() float64 { return (s.hi - s.lo) / float64(s.cells) }

// cellOf returns the cell holding index-space position x; it may fall outside [0, cells).
func (s scale) cellOf(x float64) int {
	c := math.Floor((x - s.lo) / s.cellWidth())
	if c < -1 || c > float64(s.cells) || c != c {
		return -1
	}
	return int(c)
}

// nearest is the item under the centre of cell c, which the cell shows when cells are no
// wider than items.
func (s scale) nearest(c int) int {
	return int(math.Floor(s.lo + (float64(c)+0.5)*s.cellWidth()))
}

// itemCells returns the cells [c0, c1) that show item i: where cells are no wider than items,
// those whose nearest item it is (found with nearest itself, so that ties at item boundaries
// go the same way as in the picture); otherwise the one cell holding the item's centre. The
// result is clipped to the plot and may be empty.
func (s scale) itemCells(i int) (c0, c1 int) {
	c := s.cellOf(float64(i) + 0.5)
	if s.cellWidth() > 1 || c < 0 || c >= s.cells {
		return max(c, 0), min(c+1, s.cells)
	}
	c0, c1 = c, c
	for c0 > 0 && s.nearest(c0-1) >= i {
		c0--
	}
	for c0 < s.cells && s.nearest(c0) < i {
		c0++
	}
	c1 = c0
	for c1 < s.cells && s.nearest(c1) == i {
		c1++
	}
	return c0, c1
}

// axisScale is the scale of an axis over n bins drawn on cells rows.
func (a Axis) scale(n, cells int) scale {
	s := scale{cells: cells, lo: 0, hi: float64(n), compact: true}
	if len(a.Labels) == n {
		s.names = a.Labels
	}
	c := a.Centers
	if len(c) != n || n == 0 {
		s.val = func(x float64) float64 { return x - 0.5 }
		s.inv = func(v float64) float64 { return v + 0.5 }
		s.minStep = 1
		return s
	}
	if n == 1 && s.names == nil {
		s.names = []string{formatValue(c[0])}
	}
	if n == 1 {
		s.val = func(float64) float64 { return c[0] }
		return s
	}
	whole, linear := true, true
	d := (c[n-1] - c[0]) / float64(n-1)
	for k := range c {
		whole = whole && c[k] == math.Round(c[k])
		linear = linear && math.Abs(c[k]-(c[0]+float64(k)*d)) <= 1e-6*math.Max(math.Abs(d), 1e-300)
	}
	if whole {
		s.minStep = 1
	}
	if linear && d > 0 {
		s.val = func(x float64) float64 { return c[0] + (x-0.5)*d }
		s.inv = func(v float64) float64 { return (v-c[0])/d + 0.5 }
		return s
	}
	s.val = func(x float64) float64 {
		// Piecewise linear through the centres, extended past the ends by the end segments.
		t := x - 0.5
		k := min(max(int(math.Floor(t)), 0), n-2)
		return c[k] + (t-float64(k))*(c[k+1]-c[k])
	}
	return s
}

// timeScale is the x axis over items [lo, hi) spaced period seconds apart (frames at hop/sr,
// samples at 1/sr); a period of 0 or less counts items instead.
func timeScale(lo, hi float64, cells int, period float64) scale {
	s := scale{cells: cells, lo: lo, hi: hi}
	if period > 0 {
		s.val = func(x float64) float64 { return (x - 0.5) * period }
		s.inv = func(v float64) float64 { return v/period + 0.5 }
		return s
	}
	s.val = func(x float64) float64 { return x - 0.5 }
	s.inv = func(v float64) float64 { return v + 0.5 }
	s.minStep = 1
	return s
}

// tick is a labelled cell along an axis.
type tick struct {
	cell  int
	label string
}

// ticks places the axis' labels: each named item; or for a linear scale, the multiples of the
// finest 1-2-5 step whose neighbours lie at least need(w) cells apart, w being the widest
// label; or otherwise, at least need(0) cells apart, the roundest values the cells hold.
func (s scale) ticks(need func(labelWidth int) int) []tick {
	if s.cells <= 0 || !(s.hi > s.lo) || s.val == nil {
		return nil
	}
	switch {
	case s.names != nil:
		return s.namedTicks()
	case s.inv != nil:
		return s.linearTicks(need)
	}
	return s.roundTicks(max(need(0), 1))
}

func (s scale) namedTicks() []tick {
	var ts []tick
	for i, name := range s.names {
		c := s.cellOf(float64(i) + 0.5)
		if name == "" || c < 0 || c >= s.cells {
			continue
		}
		name = clean(name)
		// Several items in one cell: keep the shortest name (C rather than C#).
		if k := len(ts) - 1; k >= 0 && ts[k].cell == c {
			if len(name) < len(ts[k].label) {
				ts[k].label = name
			}
			continue
		}
		ts = append(ts, tick{c, name})
	}
	return ts
}

func (s scale) linearTicks(need func(int) int) []tick {
	v0, v1 := s.val(s.lo), s.val(s.hi)
	span := v1 - v0
	if !(span > 0) || math.IsInf(span, 0) {
		return nil
	}
	perCell := span / float64(s.cells)
	base := math.Floor(math.Log10(perCell))
	var ts []tick
	for k := 0; k < 60; k++ {
		step := [3]float64{1, 2, 5}[k%3] * math.Pow(10, base+float64(k/3))
		if step < s.minStep {
			continue
		}
		ts = ts[:0]
		widest := 0
		for j := math.Ceil(v0 / step); j*step < v1; j++ {
			v := j * step
			c := s.cellOf(s.inv(v))
			if c < 0 || c >= s.cells {
				continue
			}
			t := tick{c, formatTick(v, step, s.compact)}
			widest = max(widest, len(t.label))
			ts = append(ts, t)
		}
		if step/perCell >= float64(max(need(widest), 1)) || step > span {
			return ts
		}
	}
	return ts
}

// roundTicks labels a nonlinear scale: from each label, the next goes in the following gap
// cells at the one whose roundest value is roundest (1000 before 1050), so that the labels
// stay evenly spread and as round as the cells allow.
func (s scale) roundTicks(gap int) []tick {
	var ts []tick
	w := s.cellWidth()
	for from := 0; from < s.cells; {
		best, bestStep, bestV := -1, 0.0, 0.0
		for c := from; c < min(from+gap, s.cells); c++ {
			a, b := s.val(s.lo+float64(c)*w), s.val(s.lo+float64(c+1)*w)
			if v, step, ok := roundest(a, b, s.minStep); ok && (best < 0 || step > bestStep || v == 0) {
				best, bestStep, bestV = c, step, v
				if v == 0 {
					break
				}
			}
		}
		if best < 0 {
			from += gap
			continue
		}
		ts = append(ts, tick{best, formatTick(bestV, bestStep, s.compact)})
		from = best + gap
	}
	return ts
}

// roundest returns the value in [a, b) with the fewest significant digits (0, then multiples of
// 10^k, 5*10^(k-1), 2*10^(k-1), 10^(k-1), ...) and the step it is a multiple of; none when the
// interval holds no multiple of minStep.
func roundest(a, b, minStep float64) (v, step float64, ok bool) {
	if b < a {
		a, b = b, a
	}
	if !(b > a) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return 0, 0, false
	}
	if a <= 0 && b > 0 {
		return 0, 1, true
	}
	top := math.Ceil(math.Log10(math.Max(math.Abs(a), math.Abs(b))))
	for k := 0; k < 45; k++ {
		step = [3]float64{1, 0.5, 0.2}[k%3] * math.Pow(10, top-float64(k/3))
		if step < minStep {
			return 0, 0, false
		}
		if m := math.Ceil(a/step) * step; m < b {
			return m, step, true
		}
	}
	return 0, 0, false
}

// formatTick writes v, a multiple of step, with as many decimals as the step needs; with
// compact, thousands become "k" ("1.5k") where the step allows it.
func formatTick(v, step float64, compact bool) string {
	decimals := func(step float64) int { return max(0, int(math.Ceil(-math.Log10(step)-1e-9))) }
	var s string
	if compact && math.Abs(v) >= 1000 && step >= 100 {
		s = trimZeros(strconv.FormatFloat(v/1000, 'f', decimals(step/1000), 64)) + "k"
	} else {
		s = trimZeros(strconv.FormatFloat(v, 'f', decimals(step), 64))
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// trimZeros drops trailing zeros after a decimal point, and the point if nothing follows it.
func trimZeros(s string) string {
	for i := range len(s) {
		if s[i] != '.' {
			continue
		}
		j := len(s)
		for j > i+1 && s[j-1] == '0' {
			j--
		}
		if j == i+1 {
			j = i
		}
		return s[:j]
	}
	return s
}

// formatValue writes a data value readably: about three significant digits, no exponent
// between 0.001 and 100000.
func formatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0"
	case v == math.Trunc(v) && a < 1e5:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1e5 || a < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// clean replaces control characters in caller-given text, which would break the layout.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
