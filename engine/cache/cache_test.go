package cache_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/cache"
	"github.com/hark-audio/hark/engine/extract"
)

// extractAll runs Extract and fails on any per-file error.
func extractAll(t *testing.T, c *cache.Cache, paths []string, cfg extract.Config) []*extract.Result {
	t.Helper()
	res, errs := c.Extract(context.Background(), paths, cfg, 2, nil)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
	}
	return res
}

// direct computes the features without the cache.
func direct(t *testing.T, paths []string, cfg extract.Config) []*extract.Result {
	t.Helper()
	ex, err := extract.NewExtractor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*extract.Result, len(paths))
	for i, p := range paths {
		if out[i], err = ex.File(p); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func checkStats(t *testing.T, what string, c *cache.Cache, hits, misses int64) {
	t.Helper()
	s := c.Stats()
	if s.Hits != hits || s.Misses != misses || s.Corrupt != 0 || s.StoreErrors != 0 {
		t.Errorf("%s: stats %+v, want %d hits and %d misses, nothing corrupt or unstored", what, s, hits, misses)
	}
}

func checkSame(t *testing.T, what string, got, want []*extract.Result) {
	t.Helper()
	for i := range want {
		if !sameResult(got[i], want[i]) {
			t.Errorf("%s: file %d differs from a direct extraction", what, i)
		}
	}
}

// TestKeys checks the keying rules: cold is a miss, warm a hit, and a changed file, a changed
// configuration and a changed version are computed again.
func TestKeys(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 6, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	want := direct(t, paths, cfg)

	cold, err := cache.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, "cold", extractAll(t, cold, paths, cfg), want)
	checkStats(t, "cold", cold, 0, 6)

	warm, err := cache.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, "warm", extractAll(t, warm, paths, cfg), want)
	checkStats(t, "warm", warm, 6, 0)

	// Rewrite one file at once with different samples of the same length: same size, and very
	// likely the same modification time tick.
	if err := os.WriteFile(paths[2], wavBytes(16000, clip(99, 4000, 16000)), 0o644); err != nil {
		t.Fatal(err)
	}
	want[2] = direct(t, paths[2:3], cfg)[0]
	changed, _ := cache.Open(store)
	checkSame(t, "changed file", extractAll(t, changed, paths, cfg), want)
	checkStats(t, "changed file", changed, 5, 1)

	hop := cfg
	hop.Hop = 128
	other, _ := cache.Open(store)
	checkSame(t, "changed config", extractAll(t, other, paths, hop), direct(t, paths, hop))
	checkStats(t, "changed config", other, 0, 6)

	versioned, err := cache.New(cache.Options{Dir: store, Version: "another build"})
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, "changed version", extractAll(t, versioned, paths, cfg), want)
	checkStats(t, "changed version", versioned, 0, 6)
}

// TestStatIndex checks that a trusted index record spares hashing, that a fresh one is not
// trusted, and that a rewrite hidden behind a restored modification time is still seen.
func TestStatIndex(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 4, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	later := func() time.Time { return time.Now().Add(time.Minute) }

	c, _ := cache.Open(store)
	extractAll(t, c, paths, cfg)
	if got := c.Stats().Hashed; got != 4 {
		t.Errorf("cold: hashed %d files, want 4", got)
	}
	// The records were written within RacyMargin of the files' creation: not trusted yet.
	c, _ = cache.Open(store)
	extractAll(t, c, paths, cfg)
	if got := c.Stats().Hashed; got != 4 {
		t.Errorf("reopened at once: hashed %d files, want 4 (fresh records are racy)", got)
	}
	// Records stamped a minute after the files are trusted.
	c, _ = cache.Open(store)
	cache.SetClock(c, later)
	extractAll(t, c, paths, cfg)
	c, _ = cache.Open(store)
	extractAll(t, c, paths, cfg)
	if s := c.Stats(); s.Hashed != 0 || s.Hits != 4 {
		t.Errorf("reopened with trusted records: %+v, want 0 hashed and 4 hits", s)
	}

	if runtime.GOOS != "linux" {
		return
	}
	// Rewrite a file with the same size and restore its modification time: the change time
	// still moves, so the record no longer matches.
	fi, err := os.Stat(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(paths[1], wavBytes(16000, clip(1234, 4000, 16000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(paths[1], fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	c, _ = cache.Open(store)
	cache.SetClock(c, later)
	got := extractAll(t, c, paths, cfg)
	checkSame(t, "rewritten behind a restored mtime", got[1:2], direct(t, paths[1:2], cfg))
	if s := c.Stats(); s.Hashed != 1 || s.Misses != 1 {
		t.Errorf("rewritten behind a restored mtime: %+v, want 1 hashed and 1 miss", s)
	}

	// Without the index every file is hashed every time.
	n, _ := cache.New(cache.Options{Dir: store, NoIndex: true})
	extractAll(t, n, paths, cfg)
	if s := n.Stats(); s.Hashed != 4 || s.Hits != 4 {
		t.Errorf("NoIndex: %+v, want 4 hashed and 4 hits", s)
	}
}

// TestCorruptEntriesAreRecomputed damages entries on disk in several ways.
func TestCorruptEntriesAreRecomputed(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 4, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	c, _ := cache.Open(store)
	want := extractAll(t, c, paths, cfg)

	entries, err := filepath.Glob(filepath.Join(store, "v*", "*", "*.hfc"))
	if err != nil || len(entries) != 4 {
		t.Fatalf("entries %v (%v), want 4", entries, err)
	}
	damage := []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)/2] },                          // truncated
		func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b },                // a flipped bit
		func(b []byte) []byte { return nil },                                   // empty
		func(b []byte) []byte { return append(b[:len(b)-4], b[len(b)-8:]...) }, // trailer replaced
	}
	for i, e := range entries {
		b, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e, damage[i](b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = cache.Open(store)
	checkSame(t, "after damage", extractAll(t, c, paths, cfg), want)
	if s := c.Stats(); s.Corrupt != 4 || s.Misses != 4 || s.Hits != 0 {
		t.Errorf("after damage: %+v, want 4 corrupt, 4 misses", s)
	}
	c, _ = cache.Open(store)
	checkSame(t, "repaired", extractAll(t, c, paths, cfg), want)
	checkStats(t, "repaired", c, 4, 0)
}

// TestConcurrentCaches fills one folder from two Caches at once, each on two workers, over the
// same files in opposite orders.
func TestConcurrentCaches(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 24, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	want := direct(t, paths, cfg)
	reversed := make([]string, len(paths))
	for i, p := range paths {
		reversed[len(paths)-1-i] = p
	}
	var wg sync.WaitGroup
	for _, ps := range [][]string{paths, reversed} {
		c, err := cache.Open(store)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs := c.Extract(context.Background(), ps, cfg, 2, nil)
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	checkFilled(t, store, paths, cfg, want)
}

// checkFilled reopens store and expects every path to be a sound hit, with no temporary file
// left behind.
func checkFilled(t *testing.T, store string, paths []string, cfg extract.Config, want []*extract.Result) {
	t.Helper()
	c, err := cache.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, "reopened", extractAll(t, c, paths, cfg), want)
	checkStats(t, "reopened", c, int64(len(paths)), 0)
	tmp, _ := filepath.Glob(filepath.Join(store, "v*", "*", ".tmp-*"))
	if len(tmp) != 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

// TestTwoProcesses fills one folder from two processes at once (this test binary, re-run).
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 40, 0.25, 16000)
	store := filepath.Join(dir, "cache")
	var wg sync.WaitGroup
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFillerProcess$")
		cmd.Env = append(os.Environ(), "HARK_TEST_FILL="+store, "HARK_TEST_FILES="+strings.Join(paths, string(os.PathListSeparator)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("filler process: %v\n%s", err, out)
			}
		}()
	}
	wg.Wait()
	checkFilled(t, store, paths, testConfig(), direct(t, paths, testConfig()))
}

// TestFillerProcess is TestTwoProcesses' child: it does nothing unless HARK_TEST_FILL is set.
func TestFillerProcess(t *testing.T) {
	store := os.Getenv("HARK_TEST_FILL")
	if store == "" {
		t.Skip("run by TestTwoProcesses")
	}
	c, err := cache.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(os.Getenv("HARK_TEST_PACK")); n > 0 {
		cache.SetPackThresholds(c, n, 1<<20)
	}
	extractAll(t, c, strings.Split(os.Getenv("HARK_TEST_FILES"), string(os.PathListSeparator)), testConfig())
}

// TestPerFileErrors mixes unreadable and missing files with good ones.
func TestPerFileErrors(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 3, 0.25, 16000)
	bad := filepath.Join(dir, "data", "text.wav")
	if err := os.WriteFile(bad, []byte("not audio at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "data", "missing.wav")
	all := []string{paths[0], bad, paths[1], missing, paths[2]}
	c, _ := cache.Open(filepath.Join(dir, "cache"))
	var progress []int
	res, errs := c.Extract(context.Background(), all, testConfig(), 2, func(done, total int) {
		if total != len(all) {
			t.Errorf("progress total %d, want %d", total, len(all))
		}
		progress = append(progress, done)
	})
	for i, p := range all {
		failed := p == bad || p == missing
		switch {
		case failed && (errs[i] == nil || !strings.Contains(errs[i].Error(), p)):
			t.Errorf("file %d: error %v, want one naming %s", i, errs[i], p)
		case failed && res[i] != nil:
			t.Errorf("file %d: a result besides the error", i)
		case !failed && (errs[i] != nil || res[i] == nil):
			t.Errorf("file %d: %v", i, errs[i])
		}
	}
	if !errors.Is(errs[3], os.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", errs[3])
	}
	if len(progress) != len(all) || progress[len(all)-1] != len(all) {
		t.Errorf("progress %v, want 1..%d", progress, len(all))
	}
	if s := c.Stats(); s.Misses != 4 { // the text file is a miss that fails to decode
		t.Errorf("stats %+v, want 4 misses", s)
	}
}

func TestCancelAndInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 3, 0.25, 16000)
	c, _ := cache.Open(filepath.Join(dir, "cache"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs := c.Extract(ctx, paths, testConfig(), 2, nil)
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), paths[i]) {
			t.Errorf("cancelled, file %d: %v", i, err)
		}
	}
	bad := testConfig()
	bad.Hop = 0
	_, errs = c.Extract(context.Background(), paths, bad, 2, nil)
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "hop 0") {
			t.Errorf("invalid config, file %d: %v", i, err)
		}
	}
}

// TestMatchesExtractFile checks that the cache decodes as extract.Extractor.File does, for a
// resampled configuration and for VGGish (always 16 kHz), on a miss and on a hit.
func TestMatchesExtractFile(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 2, 1, 22050)
	resampled := testConfig()
	resampled.SR = 16000
	onset := extract.Default("onset")
	for _, cfg := range []extract.Config{resampled, extract.Default("vggish"), extract.Default("mfcc"), onset} {
		want := direct(t, paths, cfg)
		c, _ := cache.Open(filepath.Join(dir, "cache"))
		checkSame(t, cfg.Kind+" miss", extractAll(t, c, paths, cfg), want)
		checkSame(t, cfg.Kind+" hit", extractAll(t, c, paths, cfg), want)
		checkStats(t, cfg.Kind, c, 2, 2)
	}
}

func TestGetPutHash(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 1, 0.25, 16000)
	c, _ := cache.Open(filepath.Join(dir, "cache"))
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Hash(paths[0])
	if err != nil || sum != cache.SumBytes(data) {
		t.Fatalf("Hash = %v, %v; want %v", sum, err, cache.SumBytes(data))
	}
	cfg := testConfig()
	if _, ok := c.Get(sum, cfg); ok {
		t.Fatal("Get on an empty cache hit")
	}
	r := direct(t, paths, cfg)[0]
	if err := c.Put(sum, cfg, r); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(sum, cfg)
	if !ok || !sameResult(got, r) {
		t.Fatalf("Get after Put: %v", ok)
	}
	// Extract finds what Put stored.
	extractAll(t, c, paths, cfg)
	checkStats(t, "get, put, extract", c, 2, 1)

	u, err := c.Usage()
	if err != nil || u.Entries != 1 || u.Bytes < 4*int64(len(r.Matrix.Data)) {
		t.Errorf("Usage = %+v, %v; want 1 entry of at least the matrix's bytes", u, err)
	}
	if err := c.Clear(); err != nil {
		t.Fatal(err)
	}
	if u, err := c.Usage(); err != nil || u != (cache.Usage{}) {
		t.Errorf("after Clear: %+v, %v", u, err)
	}
	if _, ok := c.Get(sum, cfg); ok {
		t.Error("Get hit after Clear")
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("HARK_CACHE", "/somewhere/hark")
	if d, err := cache.DefaultDir(); err != nil || d != filepath.Join("/somewhere/hark", "features") {
		t.Errorf("with HARK_CACHE: %q, %v", d, err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	t.Setenv("HARK_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	if d, err := cache.DefaultDir(); err != nil || d != "/xdg/hark/features" {
		t.Errorf("with XDG_CACHE_HOME: %q, %v", d, err)
	}
}

// What other format versions left is counted as stale and removed by Clear; nothing else in the
// folder is touched.
func TestStaleFormats(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, n int) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("v0/ab/old.hfc", 100)
	write("v0/packs/p.hfp", 50)
	write("index-v0.log", 7)
	write("v7/x", 3) // a newer release's
	write("vendor/keep", 11)
	write("index-vx.log", 5)
	write("notes.txt", 13)
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.Usage()
	if err != nil || u.Stale != 160 || u.Entries != 0 {
		t.Fatalf("Usage = %+v, %v; want 160 stale bytes and no entries", u, err)
	}
	if err := c.Clear(); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"v0", "index-v0.log", "v7"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after Clear: %v", gone, err)
		}
	}
	for _, kept := range []string{"vendor/keep", "index-vx.log", "notes.txt", fmt.Sprintf("v%d", cache.FormatVersion)} {
		if _, err := os.Stat(filepath.Join(dir, kept)); err != nil {
			t.Errorf("%s after Clear: %v", kept, err)
		}
	}
	if u, err := c.Usage(); err != nil || u != (cache.Usage{}) {
		t.Errorf("after Clear: %+v, %v", u, err)
	}
}
