package tuitest

import (
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
)

// DemoDir writes a small demo dataset (4 clips of 1 s per class, seed 1) into a temporary
// folder and returns it: real files for the real engine, quick to make.
func DemoDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{Seed: 1, PerClass: 4, Seconds: 1}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// FixedRoot wraps open so that catalogs report root as their Root, so that golden views do not
// depend on the temporary folder the data lies in. Item paths stay real.
func FixedRoot(open func(dataset.Spec) (*dataset.Catalog, error), root string) func(dataset.Spec) (*dataset.Catalog, error) {
	return func(spec dataset.Spec) (*dataset.Catalog, error) {
		cat, err := open(spec)
		if cat != nil {
			cat.Root = root
		}
		return cat, err
	}
}
