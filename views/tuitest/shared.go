package tuitest

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
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
		for n := 1; n <= 2; n++ {
			writeFace(t, filepath.Join(dir, "faces", p, fmt.Sprintf("%s_%d.png", p, n)), k, n, png.Encode)
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
	writeText(t, filepath.Join(dir, "pairs.txt"), strings.Join(lines, "\n")+"\n")
	return dir
}

// LFWDir writes a small dataset in LFW's layout: three people (Ann_A, Bob_B, Cid_C) with two
// 16x12 JPEG faces each, lfw/<Name>/<Name>_000N.jpg, and pairsDevTrain.txt with each person's
// same pair and a ring of different pairs (Ann-Bob, Bob-Cid, Cid-Ann), so that no group split
// can keep every pair.
func LFWDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lfw_pairs")
	people := []string{"Ann_A", "Bob_B", "Cid_C"}
	lines := []string{"3"}
	for k, p := range people {
		for n := 1; n <= 2; n++ {
			writeFace(t, filepath.Join(dir, "lfw", p, fmt.Sprintf("%s_%04d.jpg", p, n)), k, n, func(w io.Writer, m image.Image) error {
				return jpeg.Encode(w, m, nil)
			})
		}
		lines = append(lines, p+" 1 2")
	}
	for i, p := range people {
		lines = append(lines, fmt.Sprintf("%s 1 %s 2", p, people[(i+1)%3]))
	}
	writeText(t, filepath.Join(dir, "pairsDevTrain.txt"), strings.Join(lines, "\n")+"\n")
	return dir
}

// writeFace writes a 12x16 grayscale gradient, different for each person k and image n, to
// path (its folder created) with encode.
func writeFace(t testing.TB, path string, k, n int, encode func(io.Writer, image.Image) error) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 12, 16))
	for y := range 16 {
		for x := range 12 {
			img.SetGray(x, y, color.Gray{Y: uint8((x*20 + y*8 + k*60 + n*10) % 256)})
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func writeText(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
