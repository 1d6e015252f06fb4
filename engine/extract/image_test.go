package extract

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// A 4x2 PNG: left half white, right half black, top row red-tinted. Image must give PIL's "L"
// luma with row 0 on top, and area averaging must halve it into exact means.
func TestImageGrayscaleAndAreaResize(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for y := range 2 {
		for x := range 4 {
			c := color.RGBA{0, 0, 0, 255}
			if x < 2 {
				c = color.RGBA{255, 255, 255, 255}
			}
			if y == 0 && x == 3 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "a.png")
	f, _ := os.Create(path)
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()

	m, err := Image(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 2 || m.Cols != 4 {
		t.Fatalf("shape %dx%d, want 2x4", m.Rows, m.Cols)
	}
	want := []float32{1, 1, 0, 0.299, 1, 1, 0, 0}
	for i, v := range want {
		if math.Abs(float64(m.Data[i]-v)) > 1e-6 {
			t.Errorf("pixel %d = %v, want %v", i, m.Data[i], v)
		}
	}
	small, err := Image(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Each output pixel averages a 2x1 column block of the 4x2 image, then 1 row of 2: the left
	// half is white, the right half holds one red pixel among black.
	wantSmall := []float32{1, 0.299 / 2, 1, 0}
	for i, v := range wantSmall {
		if math.Abs(float64(small.Data[i]-v)) > 1e-6 {
			t.Errorf("resized pixel %d = %v, want %v", i, small.Data[i], v)
		}
	}
	if _, err := Image(filepath.Join(t.TempDir(), "missing.png"), 0); err == nil {
		t.Error("a missing file decoded")
	}
	bad := filepath.Join(t.TempDir(), "bad.png")
	os.WriteFile(bad, []byte("not an image"), 0o644)
	if _, err := Image(bad, 0); err == nil {
		t.Error("garbage decoded as an image")
	}
}
