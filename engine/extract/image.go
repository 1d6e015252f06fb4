package extract

import (
	"fmt"
	"image"
	_ "image/gif" // image datasets may hold GIF, JPEG or PNG files
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"

	"github.com/hark-audio/hark/features"
)

// Image decodes a GIF, JPEG or PNG file as grayscale (ITU-R 601 luma, as PIL's "L") in [0, 1]:
// a matrix of height rows and width columns, row 0 at the top; size > 0 resizes it to
// size x size by area averaging (the input of a siamese face tower), 0 keeps its size.
func Image(path string, size int) (*features.Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: unreadable image: %w", path, err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, fmt.Errorf("%s: empty image", path)
	}
	gray := make([]float32, w*h)
	for y := range h {
		for x := range w {
			cr, cg, cb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			gray[y*w+x] = (0.299*float32(cr) + 0.587*float32(cg) + 0.114*float32(cb)) / 65535
		}
	}
	if size <= 0 {
		m := features.NewMatrix(h, w)
		copy(m.Data, gray)
		return m, nil
	}
	// Separable area resampling: rows first, then columns.
	wx, wy := areaWeights(w, size), areaWeights(h, size)
	tmp := make([]float32, h*size)
	for y := range h {
		for x, ws := range wx {
			var s float32
			for _, t := range ws {
				s += t.w * gray[y*w+t.i]
			}
			tmp[y*size+x] = s
		}
	}
	m := features.NewMatrix(size, size)
	out := m.Data
	for y, ws := range wy {
		for x := range size {
			var s float32
			for _, t := range ws {
				s += t.w * tmp[t.i*size+x]
			}
			out[y*size+x] = s
		}
	}
	return m, nil
}

type tap struct {
	i int
	w float32
}

// areaWeights maps n source samples onto m output samples: output j averages the source
// interval [j*n/m, (j+1)*n/m), each source sample weighted by its overlap.
func areaWeights(n, m int) [][]tap {
	out := make([][]tap, m)
	scale := float64(n) / float64(m)
	for j := range m {
		lo, hi := float64(j)*scale, float64(j+1)*scale
		for i := int(lo); i < n && float64(i) < hi; i++ {
			ov := math.Min(hi, float64(i+1)) - math.Max(lo, float64(i))
			if ov > 0 {
				out[j] = append(out[j], tap{i, float32(ov / scale)})
			}
		}
	}
	return out
}
