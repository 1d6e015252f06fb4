package features

import "fmt"

// Matrix is a dense row-major float32 matrix laid out like librosa's spectral outputs:
// Rows are bins (frequency, mel band, coefficient, pitch class) and Cols are frames, so
// element (bin r, frame c) is Data[r*Cols+c]. A Matrix with zero Cols is valid (librosa
// returns such shapes, for instance beat-synchronous features of a clip with no beats).
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zeroed rows x cols matrix.
func NewMatrix(rows, cols int) *Matrix {
	return &Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// reuseMatrix returns dst resized to rows x cols, reusing its storage when it is large enough;
// a nil dst allocates. The contents are not cleared.
func reuseMatrix(dst *Matrix, rows, cols int) *Matrix {
	if dst == nil {
		return NewMatrix(rows, cols)
	}
	n := rows * cols
	if cap(dst.Data) < n {
		dst.Data = make([]float32, n)
	}
	dst.Data = dst.Data[:n]
	dst.Rows, dst.Cols = rows, cols
	return dst
}

// At returns element (r, c).
func (m *Matrix) At(r, c int) float32 { return m.Data[r*m.Cols+c] }

// Set sets element (r, c).
func (m *Matrix) Set(r, c int, v float32) { m.Data[r*m.Cols+c] = v }

// Row returns row r as a slice sharing the matrix storage.
func (m *Matrix) Row(r int) []float32 { return m.Data[r*m.Cols : (r+1)*m.Cols] }

// String describes the shape, as (rows, cols).
func (m *Matrix) String() string { return fmt.Sprintf("Matrix(%d, %d)", m.Rows, m.Cols) }
