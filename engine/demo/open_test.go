package demo_test

import (
	"slices"
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
)

// The demo dataset is an ordinary manifest dataset: every class, group and both regression
// targets come through dataset.Open without any option.
func TestDemoOpensAsManifestWithBothTargets(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{Seed: 3, PerClass: 2}); err != nil {
		t.Fatal(err)
	}
	cat, err := dataset.Open(dataset.Spec{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Layout != dataset.LayoutManifest || len(cat.Items) != 12 || len(cat.Classes) != 6 || len(cat.Problems) != 0 {
		t.Fatalf("layout %s, %d items, %d classes, problems %v", cat.Layout, len(cat.Items), len(cat.Classes), cat.Problems)
	}
	if !slices.Equal(cat.Targets, []string{"brightness", "tempo"}) {
		t.Errorf("targets %v, want [brightness tempo]", cat.Targets)
	}
}
