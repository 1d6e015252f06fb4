package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/cache"
	"github.com/hark-audio/hark/engine/extract"
)

// `hark cache` reports what extraction stored, and `hark cache clear` removes it, stale
// formats included.
func TestCacheCommand(t *testing.T) {
	root := t.TempDir()
	t.Setenv(cache.EnvDir, root)
	clip := filepath.Join(t.TempDir(), "a.wav")
	if err := os.WriteFile(clip, pcm16(8000, 8000), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := cache.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, errs := c.Extract(context.Background(), []string{clip}, extract.Default("mfcc"), 1, nil); errs[0] != nil {
		t.Fatal(errs[0])
	}
	stale := filepath.Join(root, "features", "v0", "old.hfc")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runHark("cache", "--json")
	var r cacheReport
	if code != exitOK || errs != "" || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("hark cache --json: exit %d, stderr %q, stdout %q", code, errs, out)
	}
	if r.Dir != filepath.Join(root, "features") || r.Entries != 1 || r.Bytes == 0 || r.StaleBytes != 2048 || r.Cleared != nil {
		t.Errorf("report %+v", r)
	}
	code, out, _ = runHark("cache")
	if code != exitOK || !strings.Contains(out, "1 entry in 0 pack files") || !strings.Contains(out, "2.0 KiB left by other releases") {
		t.Errorf("hark cache: exit %d:\n%s", code, out)
	}

	// prune keeps what was used lately, and removes the entry once it looks old.
	code, out, _ = runHark("cache", "prune")
	if code != exitOK || !strings.Contains(out, "removed 0 entries unused for 30d") || !strings.Contains(out, "1 entry") {
		t.Errorf("hark cache prune (nothing old): exit %d\n%s", code, out)
	}
	entryFiles, _ := filepath.Glob(filepath.Join(root, "features", "v*", "*", "*.hfc"))
	old := time.Now().Add(-48 * time.Hour)
	for _, p := range entryFiles {
		os.Chtimes(p, old, old)
	}
	code, out, errs = runHark("cache", "prune", "--unused-for", "1d", "--json")
	r = cacheReport{}
	if code != exitOK || errs != "" || json.Unmarshal([]byte(out), &r) != nil || len(entryFiles) != 1 {
		t.Fatalf("hark cache prune --json: exit %d, stderr %q, %d entry files, stdout %q", code, errs, len(entryFiles), out)
	}
	if r.Pruned == nil || r.Pruned.Entries != 1 || r.Pruned.UnusedFor != "1d" || r.Entries != 0 || r.StaleBytes != 2048 {
		t.Errorf("after prune %+v (pruned %+v)", r, r.Pruned)
	}
	for _, bad := range []string{"soon", "-3d", "0"} {
		if code, _, errs := runHark("cache", "prune", "--unused-for", bad); code != exitUser || !strings.Contains(errs, "--unused-for") {
			t.Errorf("--unused-for %s: exit %d, %q", bad, code, errs)
		}
	}
	if code, _, errs := runHark("cache", "--unused-for", "1d"); code != exitUsage || !strings.Contains(errs, "goes with prune") {
		t.Errorf("--unused-for without prune: exit %d, %q", code, errs)
	}
	if code, _, errs := runHark("cache", "prune", "extra"); code != exitUsage || !strings.Contains(errs, `"extra"`) {
		t.Errorf("hark cache prune extra: exit %d, %q", code, errs)
	}

	code, out, errs = runHark("cache", "clear", "--json")
	r = cacheReport{}
	if code != exitOK || errs != "" || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("hark cache clear --json: exit %d, stderr %q, stdout %q", code, errs, out)
	}
	if r.Entries != 0 || r.Bytes != 0 || r.StaleBytes != 0 || r.Cleared == nil || r.Cleared.StaleBytes != 2048 {
		t.Errorf("after clear %+v (cleared %+v)", r, r.Cleared)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale entry after clear: %v", err)
	}

	if code, _, errs := runHark("cache", "purge"); code != exitUsage || !strings.Contains(errs, `"purge"`) {
		t.Errorf("hark cache purge: exit %d, stderr %q", code, errs)
	}
}
