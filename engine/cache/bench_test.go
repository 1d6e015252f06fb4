package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/cache"
	"github.com/hark-audio/hark/engine/extract"
)

// benchSizes reads HARK_CACHE_BENCH_CLIPS, a comma-separated list of tree sizes (default 1000;
// the case is 100000).
func benchSizes(b *testing.B) []int {
	s := os.Getenv("HARK_CACHE_BENCH_CLIPS")
	if s == "" {
		return []int{1000}
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("HARK_CACHE_BENCH_CLIPS=%q: %q is not a positive count", s, f)
		}
		out = append(out, n)
	}
	return out
}

// kwsConfig is the Speech Commands log-mel front end: 16 kHz, 80 bands from 80 to 7600 Hz,
// 30 ms windows every 10 ms (101 frames a second).
func kwsConfig() extract.Config {
	c := extract.Default("mel-db")
	c.SR, c.NFFT, c.Win, c.Hop, c.NMels, c.FMin, c.FMax = 16000, 512, 480, 160, 80, 80, 7600
	return c
}

// BenchmarkCache extracts a generated tree of one-second 16 kHz clips: "nocache" with
// extract.Files, "cold" into an empty cache, "warm" reopening the filled cache (index loaded,
// every entry read and checked), and "warm-noindex" hashing every file instead of trusting the
// stat index. Sizes come from HARK_CACHE_BENCH_CLIPS; run the large case once with
// -benchtime=1x.
func BenchmarkCache(b *testing.B) {
	cfg := kwsConfig()
	ctx := context.Background()
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("clips=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			start := time.Now()
			paths := makeTree(b, filepath.Join(dir, "data"), n, 1, 16000)
			b.Logf("generated %d clips in %v", n, time.Since(start).Round(time.Millisecond))
			// A dataset exists before it is extracted: let the files age past RacyMargin so
			// that the cold pass writes trusted index records, as it would in real use.
			time.Sleep(cache.RacyMargin)
			store := filepath.Join(dir, "cache")
			perClip := func(b *testing.B) {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/clip")
			}
			each := func(b *testing.B, c *cache.Cache) {
				err := c.Each(ctx, paths, cfg, 0, func(i int, r *extract.Result, err error) {
					if err != nil {
						b.Fatal(err)
					}
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.Run("nocache", func(b *testing.B) {
				for b.Loop() {
					err := extract.Files(ctx, paths, cfg, 0, func(r extract.FileResult) {
						if r.Err != nil {
							b.Fatal(r.Err)
						}
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				perClip(b)
			})
			b.Run("cold", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					if err := os.RemoveAll(store); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					c, err := cache.Open(store)
					if err != nil {
						b.Fatal(err)
					}
					each(b, c)
				}
				perClip(b)
				c, err := cache.New(cache.Options{Dir: store, NoIndex: true})
				if err != nil {
					b.Fatal(err)
				}
				u, err := c.Usage()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(u.Bytes)/1e6, "disk-MB")
			})
			for _, noIndex := range []bool{false, true} {
				name := map[bool]string{false: "warm", true: "warm-noindex"}[noIndex]
				b.Run(name, func(b *testing.B) {
					prime, err := cache.Open(store) // a no-op after "cold"; fills when run alone
					if err != nil {
						b.Fatal(err)
					}
					each(b, prime)
					var hashed, misses int64
					for b.Loop() {
						c, err := cache.New(cache.Options{Dir: store, NoIndex: noIndex})
						if err != nil {
							b.Fatal(err)
						}
						each(b, c)
						s := c.Stats()
						hashed, misses = hashed+s.Hashed, misses+s.Misses
					}
					perClip(b)
					b.ReportMetric(float64(hashed)/float64(b.N), "hashed/op")
					b.ReportMetric(float64(misses)/float64(b.N), "misses/op")
				})
			}
		})
	}
}
