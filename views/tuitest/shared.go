package tuitest

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hark-audio/hark/engine/demo"
)

// RunWithDemo is a TestMain body for packages whose tests only read the demo dataset: it
// generates DemoDir's dataset once into a temporary folder, stores its path in *root, runs the
// tests and removes the folder. Generating it for each test would cost most of the tests' time.
func RunWithDemo(m *testing.M, root *string) int {
	dir, err := os.MkdirTemp("", "hark-demo-")
	if err == nil {
		_, err = demo.Generate(dir, demo.Options{Seed: 1, PerClass: 4, Seconds: 1})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo dataset:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	*root = dir
	return m.Run()
}

// ImagePairsDir writes a small image pair dataset: three people (ann, bob, cyd) with two 16x12
// PNG faces each under faces/, and pairs.txt with 3 same and 3 different pairs.
func ImagePairsDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "faces")
	people := []string{"ann", "bob", "cyd"}
	for k, p := range people {
		if err := os.MkdirAll(filepath.Join(dir, "faces", p), 0o755); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 2; n++ {
			img := image.NewGray(image.Rect(0, 0, 12, 16))
			for y := range 16 {
				for x := range 12 {
					img.SetGray(x, y, color.Gray{Y: uint8((x*20 + y*8 + k*60 + n*10) % 256)})
				}
			}
			f, err := os.Create(filepath.Join(dir, "faces", p, fmt.Sprintf("%s_%d.png", p, n)))
			if err != nil {
				t.Fatal(err)
			}
			err = png.Encode(f, img)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var lines []string
	for _, p := range people {
		lines = append(lines, fmt.Sprintf("faces/%s/%s_1.png faces/%s/%s_2.png same", p, p, p, p))
	}
	for i, p := range people {
		q := people[(i+1)%3]
		lines = append(lines, fmt.Sprintf("faces/%s/%s_1.png faces/%s/%s_2.png different", p, p, q, q))
	}
	if err := os.WriteFile(filepath.Join(dir, "pairs.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
