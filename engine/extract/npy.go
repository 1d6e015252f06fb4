package extract

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// writeNpy writes a C-order NumPy v1.0 array. It is written here rather than with npyio, whose
// writer takes nested Go slices only for fixed-size element types (not [][]float32) and so
// cannot give a (bins, frames) float32 array its shape without a float64 copy.
// data is either []float32 ('<f4') or []int64 ('<i8') holding prod(shape) elements.
func writeNpy(w io.Writer, shape []int, data any) error {
	var descr string
	n := 1
	for _, d := range shape {
		n *= d
	}
	switch d := data.(type) {
	case []float32:
		descr = "<f4"
		if len(d) != n {
			return fmt.Errorf("npy: %d values for shape %v", len(d), shape)
		}
	case []int64:
		descr = "<i8"
		if len(d) != n {
			return fmt.Errorf("npy: %d values for shape %v", len(d), shape)
		}
	default:
		return fmt.Errorf("npy: unsupported element type %T", data)
	}
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	// magic (6) + version (2) + header length (2) + header, padded with spaces and a final
	// newline to a multiple of 64 bytes, as numpy itself writes it.
	total := 10 + len(header) + 1
	header += strings.Repeat(" ", (64-total%64)%64) + "\n"
	bw := bufio.NewWriter(w)
	bw.WriteString("\x93NUMPY\x01\x00")
	binary.Write(bw, binary.LittleEndian, uint16(len(header)))
	bw.WriteString(header)
	var buf [8]byte
	switch d := data.(type) {
	case []float32:
		for _, v := range d {
			binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(v))
			bw.Write(buf[:4])
		}
	case []int64:
		for _, v := range d {
			binary.LittleEndian.PutUint64(buf[:], uint64(v))
			bw.Write(buf[:])
		}
	}
	return bw.Flush() // bufio keeps the first write error and returns it here
}
