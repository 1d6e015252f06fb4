// Package testshared finds the ../shared folder (datasets and reference outputs) for tests.
package testshared

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder: $HARK_SHARED when set, else ../shared next to the module root
// (the folder holding go.mod, found by walking up from the working directory). When neither
// exists the test is skipped with a message saying so; it never fails.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("HARK_SHARED"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		t.Skipf("HARK_SHARED=%s is not a folder; skipping a test that needs the shared datasets and references", d)
	}
	root, ok := moduleRoot()
	if !ok {
		t.Skip("module root (go.mod) not found; skipping a test that needs ../shared")
	}
	d := filepath.Join(filepath.Dir(root), "shared")
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Skipf("%s is absent (a clone without the shared datasets); skipping", d)
	}
	return d
}

// Path joins elements under the shared folder and skips the test when that path is absent.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Dir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is absent; skipping", p)
	}
	return p
}

func moduleRoot() (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}
