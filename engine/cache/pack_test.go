package cache_test

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/cache"
)

// openPacking opens store with a pack threshold of minEntries entries and packs of at most
// maxBytes.
func openPacking(t *testing.T, store string, minEntries, maxBytes int) *cache.Cache {
	t.Helper()
	c, err := cache.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	cache.SetPackThresholds(c, minEntries, maxBytes)
	return c
}

// onDisk lists store's entry files, packs and temporary files.
func onDisk(t *testing.T, store string) (loose, packs, tmp []string) {
	t.Helper()
	glob := func(pattern string) []string {
		m, err := filepath.Glob(filepath.Join(store, pattern))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	loose = glob("v*/[0-9a-f][0-9a-f]/*.hfc")
	packs = glob("v*/packs/*/*.hpk")
	tmp = append(glob("v*/[0-9a-f][0-9a-f]/.tmp-*"), glob("v*/packs/*/.tmp-*")...)
	return loose, packs, tmp
}

// TestPackRoundTrip fills a cache into several packs, reopens it from them, and packs the entry
// files an older cache left.
func TestPackRoundTrip(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 12, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	want := direct(t, paths, cfg)

	// An entry is about 3 KB here: a pack is begun with four entries and closed at once.
	c := openPacking(t, store, 4, 8<<10)
	checkSame(t, "cold", extractAll(t, c, paths, cfg), want)
	checkStats(t, "cold", c, 0, 12)
	loose, packs, tmp := onDisk(t, store)
	if len(loose) != 0 || len(packs) != 3 || len(tmp) != 0 {
		t.Fatalf("after a packed fill: entry files %v, packs %v, temporary %v; want 3 packs only", loose, packs, tmp)
	}
	if u, err := c.Usage(); err != nil || u.Entries != 12 || u.Packs != 3 {
		t.Errorf("Usage = %+v, %v; want 12 entries in 3 packs", u, err)
	}
	// The same Cache reads what it packed; so does a fresh one, with default thresholds.
	checkSame(t, "same cache", extractAll(t, c, paths, cfg), want)
	checkStats(t, "same cache", c, 12, 12)
	c, _ = cache.Open(store)
	checkSame(t, "reopened", extractAll(t, c, paths, cfg), want)
	checkStats(t, "reopened", c, 12, 0)
	if s := c.Stats(); s.BytesWritten != 0 {
		t.Errorf("reopened: wrote %d bytes, want 0", s.BytesWritten)
	}
	// Get finds packed entries.
	sum, err := c.Hash(paths[5])
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := c.Get(sum, cfg); !ok || !sameResult(r, want[5]) {
		t.Errorf("Get of a packed entry: %v", ok)
	}

	// A cache of entry files (a small batch, or an older version) is packed by the next batch
	// large enough, and its entry files removed.
	old := filepath.Join(dir, "old")
	c, _ = cache.Open(old)
	extractAll(t, c, paths[:6], cfg)
	if loose, packs, _ := onDisk(t, old); len(loose) != 6 || len(packs) != 0 {
		t.Fatalf("small batch: entry files %v, packs %v; want 6 entry files", loose, packs)
	}
	c = openPacking(t, old, 4, 1<<20)
	checkSame(t, "entry files and new", extractAll(t, c, paths, cfg), want)
	checkStats(t, "entry files and new", c, 6, 6)
	if loose, packs, tmp := onDisk(t, old); len(loose) != 0 || len(packs) != 1 || len(tmp) != 0 {
		t.Fatalf("after packing entry files: entry files %v, packs %v, temporary %v; want 1 pack", loose, packs, tmp)
	}
	c, _ = cache.Open(old)
	checkSame(t, "packed entry files", extractAll(t, c, paths, cfg), want)
	checkStats(t, "packed entry files", c, 12, 0)

	if err := c.Clear(); err != nil {
		t.Fatal(err)
	}
	if u, err := c.Usage(); err != nil || u != (cache.Usage{}) {
		t.Errorf("after Clear: %+v, %v", u, err)
	}
	c, _ = cache.Open(old)
	extractAll(t, c, paths, cfg)
	checkStats(t, "after Clear", c, 0, 12)
}

// packIndex reads the (offset, length) of every record of the pack at path.
func packIndex(t *testing.T, path string) [][2]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	foot := b[len(b)-32:]
	off, n := int(le.Uint64(foot)), int(le.Uint64(foot[8:]))
	recs := make([][2]int, n)
	for i := range recs {
		p := b[off+48*i:]
		recs[i] = [2]int{int(le.Uint64(p[32:])), int(le.Uint64(p[40:]))}
	}
	return recs
}

func damageFile(t *testing.T, path string, damage func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, damage(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPackCorruption damages a record of one pack and the index of another: each is counted,
// recomputed, and the replacement supersedes the damage for every later reader.
func TestPackCorruption(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 8, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	want := direct(t, paths, cfg)
	c := openPacking(t, store, 4, 1) // a pack per batch of four
	extractAll(t, c, paths, cfg)
	_, packs, _ := onDisk(t, store)
	if len(packs) != 2 {
		t.Fatalf("packs %v, want 2", packs)
	}
	// A flipped bit in the second record of the first pack.
	rec := packIndex(t, packs[0])[1]
	damageFile(t, packs[0], func(b []byte) []byte { b[rec[0]+rec[1]/2] ^= 0x10; return b })
	c, _ = cache.Open(store)
	checkSame(t, "damaged record", extractAll(t, c, paths, cfg), want)
	if s := c.Stats(); s.Corrupt != 1 || s.Misses != 1 || s.Hits != 7 {
		t.Errorf("damaged record: %+v, want 1 corrupt, 1 miss, 7 hits", s)
	}
	for range 2 {
		c, _ = cache.Open(store)
		checkSame(t, "replaced record", extractAll(t, c, paths, cfg), want)
		checkStats(t, "replaced record", c, 8, 0)
	}

	// A damaged index: the pack is removed and its four entries recomputed.
	damageFile(t, packs[1], func(b []byte) []byte { b[len(b)-40] ^= 1; return b })
	c, _ = cache.Open(store)
	checkSame(t, "damaged index", extractAll(t, c, paths, cfg), want)
	if s := c.Stats(); s.Corrupt != 1 || s.Misses != 4 || s.Hits != 4 {
		t.Errorf("damaged index: %+v, want 1 corrupt, 4 misses, 4 hits", s)
	}
	if _, err := os.Stat(packs[1]); !os.IsNotExist(err) {
		t.Errorf("the pack with a damaged index is still there: %v", err)
	}
	c, _ = cache.Open(store)
	checkSame(t, "recomputed pack", extractAll(t, c, paths, cfg), want)
	checkStats(t, "recomputed pack", c, 8, 0)

	// Through Get and Put: a truncated pack loses its later records; Put's replacement
	// supersedes the damaged one.
	_, packs, _ = onDisk(t, store)
	damageFile(t, packs[0], func(b []byte) []byte {
		last := packIndex(t, packs[0])
		r := last[len(last)-1]
		return append(b[:r[0]+r[1]/2], b[r[0]+r[1]:]...) // the last record loses half its bytes
	})
	// The index still describes the original layout, so its checksum holds but the record
	// does not: find which path it was by asking for every one.
	c, _ = cache.Open(store)
	var damaged int = -1
	for i, p := range paths {
		sum, err := c.Hash(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Get(sum, cfg); !ok {
			damaged = i
			if err := c.Put(sum, cfg, want[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if s := c.Stats(); damaged < 0 || s.Corrupt < 1 {
		t.Fatalf("truncated pack: %+v, no damaged record found", s)
	}
	c, _ = cache.Open(store)
	checkSame(t, "after Put", extractAll(t, c, paths, cfg), want)
	if s := c.Stats(); s.Corrupt != 0 || s.Misses != 0 {
		t.Errorf("after Put: %+v, want every record sound", s)
	}
}

// TestPackChangedFile changes a source file after its features were packed.
func TestPackChangedFile(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 6, 0.25, 16000)
	cfg := testConfig()
	store := filepath.Join(dir, "cache")
	want := direct(t, paths, cfg)
	c := openPacking(t, store, 4, 1<<20)
	cache.SetClock(c, func() time.Time { return time.Now().Add(time.Minute) }) // trusted records
	extractAll(t, c, paths, cfg)
	if _, packs, _ := onDisk(t, store); len(packs) != 1 {
		t.Fatalf("packs %v, want 1", packs)
	}
	// Same size, and very likely the same modification time tick.
	if err := os.WriteFile(paths[3], wavBytes(16000, clip(77, 4000, 16000)), 0o644); err != nil {
		t.Fatal(err)
	}
	want[3] = direct(t, paths[3:4], cfg)[0]
	c = openPacking(t, store, 4, 1<<20)
	checkSame(t, "changed file", extractAll(t, c, paths, cfg), want)
	if s := c.Stats(); s.Hits != 5 || s.Misses != 1 || s.Hashed != 1 || s.Corrupt != 0 {
		t.Errorf("changed file: %+v, want 5 hits, 1 miss, 1 hashed", s)
	}
	c, _ = cache.Open(store)
	checkSame(t, "after the change", extractAll(t, c, paths, cfg), want)
	checkStats(t, "after the change", c, 6, 0)
}

// TestPackTwoProcesses fills one folder from two processes at once, both packing (the second
// in the opposite order), then checks every entry and that no temporary file is left.
func TestPackTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 40, 0.25, 16000)
	reversed := make([]string, len(paths))
	for i, p := range paths {
		reversed[len(paths)-1-i] = p
	}
	store := filepath.Join(dir, "cache")
	var wg sync.WaitGroup
	for _, ps := range [][]string{paths, reversed} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFillerProcess$")
		cmd.Env = append(os.Environ(), "HARK_TEST_FILL="+store, "HARK_TEST_PACK=4",
			"HARK_TEST_FILES="+strings.Join(ps, string(os.PathListSeparator)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("filler process: %v\n%s", err, out)
			}
		}()
	}
	wg.Wait()
	_, packs, tmp := onDisk(t, store)
	if len(packs) < 2 || len(tmp) != 0 {
		t.Errorf("packs %v, temporary files %v; want a pack from each process and no temporary file", packs, tmp)
	}
	checkFilled(t, store, paths, testConfig(), direct(t, paths, testConfig()))
}

// TestPrune ages every entry file and pack, reads one entry of one pack and one entry file
// (which marks them used), and prunes: the pack read and the entry read stay, the rest goes,
// and extraction afterwards recomputes exactly what went.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	paths := makeTree(t, filepath.Join(dir, "data"), 12, 0.25, 16000)
	cfg := testConfig()
	other := testConfig()
	other.NMels = 20
	store := filepath.Join(dir, "cache")
	c := openPacking(t, store, 4, 8<<10)
	extractAll(t, c, paths, cfg) // three packs of four
	plain, err := cache.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	extractAll(t, plain, paths[:2], other) // two entry files
	loose, packs, _ := onDisk(t, store)
	if len(loose) != 2 || len(packs) != 3 {
		t.Fatalf("entry files %v, packs %v", loose, packs)
	}
	old := time.Now().Add(-40 * 24 * time.Hour)
	for _, p := range append(loose, packs...) {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}

	c, _ = cache.Open(store)
	extractAll(t, c, paths[5:6], cfg)
	extractAll(t, c, paths[1:2], other)
	checkStats(t, "reads", c, 2, 0)
	gone, err := c.Prune(30 * 24 * time.Hour)
	if err != nil || gone.Packs != 2 || gone.Entries != 9 || gone.Bytes == 0 {
		t.Fatalf("Prune removed %+v, %v; want 2 packs of 4 and 1 entry file", gone, err)
	}
	if u, err := c.Usage(); err != nil || u.Packs != 1 || u.Entries != 5 {
		t.Errorf("left %+v, %v; want the pack read (4 entries) and the entry file read", u, err)
	}
	// Nothing recent goes; what went is recomputed, the same.
	if gone, err := c.Prune(30 * 24 * time.Hour); err != nil || gone != (cache.Usage{}) {
		t.Errorf("a second Prune removed %+v, %v", gone, err)
	}
	fresh, _ := cache.Open(store)
	checkSame(t, "after prune", extractAll(t, fresh, paths, cfg), direct(t, paths, cfg))
	checkStats(t, "after prune", fresh, 4, 8)
}
