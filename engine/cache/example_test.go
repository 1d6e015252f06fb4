package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hark-audio/hark/engine/cache"
	"github.com/hark-audio/hark/engine/extract"
)

// A second extraction of the same files reads the features back instead of computing them,
// even from another Cache (another process) on the same folder.
func ExampleCache_Extract() {
	dir, _ := os.MkdirTemp("", "hark-cache-example-")
	defer os.RemoveAll(dir)
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("clip%d.wav", i))
		os.WriteFile(p, wavBytes(16000, clip(uint64(i), 16000, 16000)), 0o644)
		paths = append(paths, p)
	}
	cfg := extract.Default("mel")
	for pass := range 2 {
		c, err := cache.Open(filepath.Join(dir, "cache"))
		if err != nil {
			fmt.Println(err)
			return
		}
		results, errs := c.Extract(context.Background(), paths, cfg, 0, nil)
		s := c.Stats()
		fmt.Printf("pass %d: %d hits, %d misses, shape %v, error %v\n", pass+1, s.Hits, s.Misses, results[0].Shape(), errs[0])
	}
	// Output:
	// pass 1: 0 hits, 3 misses, shape [128 32], error <nil>
	// pass 2: 3 hits, 0 misses, shape [128 32], error <nil>
}
