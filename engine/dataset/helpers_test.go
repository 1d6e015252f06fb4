package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wavBytes builds a 16-bit PCM WAV file of the given length (the samples are a ramp).
func wavBytes(rate, channels, frames int) []byte {
	var data bytes.Buffer
	for i := 0; i < frames*channels; i++ {
		binary.Write(&data, binary.LittleEndian, int16(i%2000-1000))
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data.Len()))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, uint32(16))
	binary.Write(&b, binary.LittleEndian, uint16(1))
	binary.Write(&b, binary.LittleEndian, uint16(channels))
	binary.Write(&b, binary.LittleEndian, uint32(rate))
	binary.Write(&b, binary.LittleEndian, uint32(rate*channels*2))
	binary.Write(&b, binary.LittleEndian, uint16(channels*2))
	binary.Write(&b, binary.LittleEndian, uint16(16))
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data.Len()))
	b.Write(data.Bytes())
	return b.Bytes()
}

// npyBytes builds a float32 .npy file of the given shape.
func npyBytes(shape ...int) []byte {
	dims := make([]string, len(shape))
	n := 1
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
		n *= d
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", tuple)
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(make([]byte, 4*n))
	return b.Bytes()
}

// files maps relative paths to contents; a nil content makes a folder.
type files map[string][]byte

// makeTree writes the files under a fresh temporary folder and returns it.
func makeTree(t testing.TB, fs files) string {
	t.Helper()
	root := t.TempDir()
	for rel, data := range fs {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if data == nil {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func open(t testing.TB, spec Spec) *Catalog {
	t.Helper()
	c, err := Open(spec)
	if err != nil {
		t.Fatalf("Open(%s): %v", spec.Root, err)
	}
	return c
}

// classCounts returns the catalog's classes as a name -> count map.
func classCounts(c *Catalog) map[string]int {
	m := map[string]int{}
	for _, cl := range c.Classes {
		m[cl.Name] = cl.Count
	}
	return m
}

// wantProblem fails unless exactly one problem concerns a path ending in suffix at the line
// (0: any) and mentions every fragment.
func wantProblem(t testing.TB, c *Catalog, suffix string, line int, fragments ...string) {
	t.Helper()
	var hits []Problem
	for _, p := range c.Problems {
		if strings.HasSuffix(filepath.ToSlash(p.Path), suffix) && (line == 0 || p.Line == line) {
			hits = append(hits, p)
		}
	}
	if len(hits) != 1 {
		t.Fatalf("want one problem for %s line %d, got %d; all problems:\n%s", suffix, line, len(hits), problemList(c))
	}
	for _, f := range fragments {
		if !strings.Contains(hits[0].Err.Error(), f) {
			t.Errorf("problem %q does not mention %q", hits[0].Error(), f)
		}
	}
}

func problemList(c *Catalog) string {
	var b strings.Builder
	for _, p := range c.Problems {
		b.WriteString("  " + p.Error() + "\n")
	}
	return b.String()
}

func itemByID(t testing.TB, c *Catalog, id string) Item {
	t.Helper()
	for _, it := range c.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no item %q", id)
	return Item{}
}

// jpegBytes encodes a grey w x h JPEG.
func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
