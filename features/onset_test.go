package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomDB is a seeded dB-like matrix with plateaus, so that rectified differences have many
// exact zeros and ties, as real onset input does.
func randomDB(seed uint64, rows, cols int) *Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := NewMatrix(rows, cols)
	for i := range m.Data {
		if rng.IntN(3) == 0 && i > 0 {
			m.Data[i] = m.Data[i-1] // a plateau: difference 0
			continue
		}
		m.Data[i] = float32(-80 + 80*rng.Float64())
	}
	return m
}

// naiveOnset is onset_strength written out directly: rectified differences aggregated with a
// full sort for the median and a float32 running sum for the mean, then librosa's padding.
func naiveOnset(s *Matrix, lag, pad int, centred bool, agg Aggregate) []float32 {
	var env []float32
	for t := lag; t < s.Cols; t++ {
		col := make([]float32, s.Rows)
		for m := range s.Rows {
			col[m] = max(0, s.At(m, t)-s.At(m, t-lag))
		}
		if agg == AggMedian {
			slices.Sort(col)
			h := len(col) / 2
			v := col[h]
			if len(col)%2 == 0 {
				v = (col[h-1] + col[h]) / 2
			}
			env = append(env, v)
			continue
		}
		var sum float32
		for _, v := range col {
			sum += v
		}
		env = append(env, sum/float32(s.Rows))
	}
	env = append(make([]float32, pad), env...)
	if centred {
		env = env[:min(len(env), s.Cols)]
	}
	return env
}

func TestOnsetStrengthMatchesNaive(t *testing.T) {
	seed := uint64(0)
	for _, rows := range []int{1, 2, 5, 40, 128, 129} {
		for _, cols := range []int{0, 1, 2, 3, 7, 100, 300} {
			for _, agg := range []Aggregate{AggMean, AggMedian} {
				for _, o := range []OnsetOptions{{}, {Lag: 1, NFFT: 2048, Hop: 512}, {Lag: 2, NFFT: 512, Hop: 128},
					{Lag: 3, NFFT: 400, Hop: 160}, {Lag: 1, NFFT: 256, Hop: 512}, {Lag: 4}} {
					seed++
					o.Aggregate = agg
					s := randomDB(seed, rows, cols)
					lag := max(o.Lag, 1)
					centred := o.NFFT > 0 && o.Hop > 0
					pad := lag
					if centred {
						pad += o.NFFT / (2 * o.Hop)
					}
					want := naiveOnset(s, lag, pad, centred, agg)
					if !centred {
						want = want[:lag+max(cols-lag, 0)]
					}
					got := OnsetStrength(nil, s, o)
					if !slices.Equal(got, want) {
						t.Fatalf("%dx%d %+v: got %v, want %v", rows, cols, o, got, want)
					}
				}
			}
		}
	}
}

func TestOnsetStrengthEdges(t *testing.T) {
	// Centred output always has one value per spectrogram frame, even when the pad is longer.
	s := randomDB(1, 4, 2)
	if got := OnsetStrength(nil, s, OnsetOptions{Lag: 5, NFFT: 2048, Hop: 512}); !slices.Equal(got, []float32{0, 0}) {
		t.Errorf("short centred: %v", got)
	}
	// Without centring librosa keeps lag + (n - lag) values, so lag values when n < lag.
	if got := OnsetStrength(nil, s, OnsetOptions{Lag: 5}); len(got) != 5 {
		t.Errorf("short uncentred: %d values, want 5", len(got))
	}
	if got := OnsetStrength(nil, nil, OnsetOptions{NFFT: 2048, Hop: 512}); len(got) != 0 {
		t.Errorf("nil matrix: %v", got)
	}
	// No bands: numpy's mean and median of nothing are NaN.
	got := OnsetStrength(nil, &Matrix{Rows: 0, Cols: 6}, OnsetOptions{Lag: 1, NFFT: 4, Hop: 2})
	if len(got) != 6 || got[1] != 0 || !math.IsNaN(float64(got[2])) {
		t.Errorf("no bands: %v", got)
	}
	// dst is reused.
	dst := make([]float32, 0, 1000)
	got = OnsetStrength(dst, randomDB(2, 8, 50), OnsetOptions{Aggregate: AggMedian})
	if &got[0] != &dst[:1][0] || len(got) != 50 {
		t.Errorf("dst not reused")
	}
}

func TestMedian32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for n := 1; n < 300; n++ {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.IntN(7)) // many ties
			if rng.IntN(2) == 0 {
				x[i] = float32(rng.NormFloat64())
			}
		}
		s := slices.Clone(x)
		slices.Sort(s)
		want := s[n/2]
		if n%2 == 0 {
			want = (s[n/2-1] + s[n/2]) / 2
		}
		if got := median32(slices.Clone(x)); got != want {
			t.Fatalf("n=%d: median %v, want %v", n, got, want)
		}
	}
	if !math.IsNaN(float64(median32([]float32{1, float32(math.NaN()), 2}))) {
		t.Error("NaN does not propagate")
	}
	if !math.IsNaN(float64(median32(nil))) {
		t.Error("median of nothing is not NaN")
	}
}

// BenchmarkOnsetStrength is onset strength from a 128-band dB mel spectrogram of 30 s at
// 22,050 Hz, hop 512, with librosa's two aggregates.
func BenchmarkOnsetStrength(b *testing.B) {
	const frames = 1 + 30*22050/512
	db := clickMelDB(1, 128, frames, 21.5)
	for _, agg := range []Aggregate{AggMean, AggMedian} {
		b.Run(fmt.Sprint(agg), func(b *testing.B) {
			opt := OnsetOptions{NFFT: 2048, Hop: 512, Aggregate: agg}
			dst := OnsetStrength(nil, db, opt)
			b.ReportAllocs()
			for b.Loop() {
				OnsetStrength(dst, db, opt)
			}
		})
	}
}

func TestOnsetStrengthNaN(t *testing.T) {
	// numpy's maximum, mean and median all propagate NaN.
	s := NewMatrix(5, 3)
	s.Set(2, 1, float32(math.NaN()))
	for _, agg := range []Aggregate{AggMean, AggMedian} {
		got := OnsetStrength(nil, s, OnsetOptions{Aggregate: agg})
		if got[0] != 0 || !math.IsNaN(float64(got[1])) || !math.IsNaN(float64(got[2])) {
			t.Errorf("%v: %v", agg, got)
		}
	}
}

func TestAggregateString(t *testing.T) {
	if AggMean.String() != "mean" || AggMedian.String() != "median" || Aggregate(7).String() != "Aggregate(7)" {
		t.Errorf("names: %v %v %v", AggMean, AggMedian, Aggregate(7))
	}
}
