package cache_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/hark-audio/hark/engine/extract"
)

// wavBytes encodes mono samples as a 16-bit PCM WAV file.
func wavBytes(sr int, y []float32) []byte {
	le := binary.LittleEndian
	b := make([]byte, 0, 44+2*len(y))
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(36+2*len(y)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1) // PCM
	b = le.AppendUint16(b, 1) // mono
	b = le.AppendUint32(b, uint32(sr))
	b = le.AppendUint32(b, uint32(2*sr))
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*len(y)))
	for _, v := range y {
		s := math.Round(float64(v) * 32767)
		b = le.AppendUint16(b, uint16(int16(max(-32768, min(32767, s)))))
	}
	return b
}

// clip is a seeded test signal: a tone whose frequency depends on the seed, plus noise.
func clip(seed uint64, n, sr int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	f := 100 + rng.Float64()*2000
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(0.5*math.Sin(2*math.Pi*f*float64(i)/float64(sr)) + 0.1*(rng.Float64()*2-1))
	}
	return y
}

// makeTree writes n clips of the given length as dir/cNN/clipNNNNNN.wav (1000 per folder) on
// two goroutines and returns their paths in order.
func makeTree(tb testing.TB, dir string, n int, seconds float64, sr int) []string {
	tb.Helper()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("c%03d", i/1000), fmt.Sprintf("clip%06d.wav", i))
	}
	for i := 0; i < n; i += 1000 {
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	const workers = 2
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if err := os.WriteFile(paths[i], wavBytes(sr, clip(uint64(i), int(seconds*float64(sr)), sr)), 0o644); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return paths
}

// testConfig is a small mel configuration that keeps the tests quick.
func testConfig() extract.Config {
	c := extract.Default("mel-db")
	c.NFFT, c.Hop, c.NMels = 512, 256, 40
	return c
}

// sameResult compares two results, ignoring the time they took.
func sameResult(a, b *extract.Result) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.Elapsed, y.Elapsed = 0, 0
	return reflect.DeepEqual(x, y)
}
