package models

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchModel builds a preset at batch 64 with random inputs and labels, as shared/bench does.
func benchModel(b *testing.B, name string, in []int, classes int) (*Model, []float32, []float32) {
	s, err := Preset(name, in, classes)
	if err != nil {
		b.Fatal(err)
	}
	m, err := Build(s, Options{Batch: 64, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 64*m.SampleSize())
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	y := make([]float32, 64)
	for i := range y {
		y[i] = float32(r.IntN(classes))
	}
	return m, x, y
}

var benchPresets = []struct {
	name    string
	in      []int
	classes int
}{
	{"gtzan-cnn", []int{1, 216, 13}, 10},
	{"kws-cnn", []int{1, 98, 40}, 12},
	{"mlp", []int{98, 40}, 12},
	{"bilstm", []int{60, 128}, 10},
}

// BenchmarkTrainStep measures forward + backward + Adam on batches of 64 (shared/bench's scheme).
func BenchmarkTrainStep(b *testing.B) {
	for _, p := range benchPresets {
		b.Run(p.name, func(b *testing.B) {
			m, x, y := benchModel(b, p.name, p.in, p.classes)
			for range 2 { // compile and warm up
				if _, err := m.Step(x, y, 1e-3); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := m.Step(x, y, 1e-3); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkPredict measures inference on batches of 64.
func BenchmarkPredict(b *testing.B) {
	for _, p := range benchPresets {
		b.Run(fmt.Sprint(p.name), func(b *testing.B) {
			m, x, _ := benchModel(b, p.name, p.in, p.classes)
			out, err := m.Predict(nil, x)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if out, err = m.Predict(out, x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkCompile measures building a model and compiling its training machine (the whole
// 60-step BiLSTM graph is a handful of fused ops, not an unrolled graph).
func BenchmarkCompile(b *testing.B) {
	for _, p := range benchPresets {
		b.Run(p.name, func(b *testing.B) {
			s, err := Preset(p.name, p.in, p.classes)
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				m, err := Build(s, Options{Batch: 64, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				if m.train, err = m.build(true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
