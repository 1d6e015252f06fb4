package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"unsafe"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
)

// An entry file, all integers and floats little-endian:
//
//	magic    [8]byte  "HARKFC" + FormatVersion as two digits
//	key      [32]byte the entry's key (a file renamed by hand is not trusted)
//	flags    uint32   see flag*
//	sr, hop  uint32
//	tempo    float64
//	nWave    uint64   samples in Result.Wave
//	nBeats   uint64   frames in Result.Beats
//	nMats    uint32   matrices: 1 for Result.Matrix, len(Result.Examples) for vggish
//	kindLen  uint32
//	kind     [kindLen]byte
//	shapes   nMats x (rows, cols uint32)
//	wave     nWave x float32
//	beats    nBeats x int64
//	data     each matrix's rows*cols float32, row-major
//	crc      uint32   CRC-32C (Castagnoli) of every byte before it
//
// The file's length must be exactly what the header implies.
const (
	flagVector   = 1 << iota // Result.Vector
	flagWave                 // Result.Wave is non-nil
	flagBeats                // Result.Beats is non-nil
	flagMatrix               // Result.Matrix is set
	flagExamples             // Result.Examples is non-nil
)

const (
	fixedHeader = 8 + 32 + 4 + 4 + 4 + 8 + 8 + 8 + 4 + 4
	maxKindLen  = 64
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt marks an entry that fails a check; the caller recomputes it.
var errCorrupt = errors.New("corrupt cache entry")

func entryMagic() [8]byte {
	var m [8]byte
	copy(m[:], fmt.Sprintf("HARKFC%02d", FormatVersion))
	return m
}

// encodeEntry serialises r under key.
func encodeEntry(key [32]byte, r *extract.Result) ([]byte, error) {
	if len(r.Kind) > maxKindLen {
		return nil, fmt.Errorf("feature kind %q is too long for a cache entry", r.Kind)
	}
	var mats []*features.Matrix
	var flags uint32
	if r.Vector {
		flags |= flagVector
	}
	if r.Wave != nil {
		flags |= flagWave
	}
	if r.Beats != nil {
		flags |= flagBeats
	}
	switch {
	case r.Matrix != nil && r.Examples != nil:
		return nil, fmt.Errorf("result holds both a matrix and examples")
	case r.Matrix != nil:
		flags |= flagMatrix
		mats = []*features.Matrix{r.Matrix}
	case r.Examples != nil:
		flags |= flagExamples
		mats = r.Examples
	}
	n := fixedHeader + len(r.Kind) + 8*len(mats) + 4*len(r.Wave) + 8*len(r.Beats) + 4
	for _, m := range mats {
		if len(m.Data) != m.Rows*m.Cols {
			return nil, fmt.Errorf("matrix %dx%d holds %d values", m.Rows, m.Cols, len(m.Data))
		}
		n += 4 * len(m.Data)
	}
	b := make([]byte, 0, n)
	magic := entryMagic()
	b = append(b, magic[:]...)
	b = append(b, key[:]...)
	le := binary.LittleEndian
	b = le.AppendUint32(b, flags)
	b = le.AppendUint32(b, uint32(r.SR))
	b = le.AppendUint32(b, uint32(r.Hop))
	b = le.AppendUint64(b, math.Float64bits(r.Tempo))
	b = le.AppendUint64(b, uint64(len(r.Wave)))
	b = le.AppendUint64(b, uint64(len(r.Beats)))
	b = le.AppendUint32(b, uint32(len(mats)))
	b = le.AppendUint32(b, uint32(len(r.Kind)))
	b = append(b, r.Kind...)
	for _, m := range mats {
		b = le.AppendUint32(b, uint32(m.Rows))
		b = le.AppendUint32(b, uint32(m.Cols))
	}
	b = appendFloats(b, r.Wave)
	for _, v := range r.Beats {
		b = le.AppendUint64(b, uint64(int64(v)))
	}
	for _, m := range mats {
		b = appendFloats(b, m.Data)
	}
	return le.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

func appendFloats(b []byte, v []float32) []byte {
	if littleEndian && len(v) > 0 {
		return append(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))...)
	}
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// littleEndian is true when float32s are stored in memory as the entries store them, so that
// the values can be copied as bytes.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeEntry parses an entry written by encodeEntry under key. Any inconsistency (wrong magic
// or key, a length that disagrees with the header, a bad checksum) is errCorrupt. Every
// allocation is bounded by len(b).
func decodeEntry(key [32]byte, b []byte) (*extract.Result, error) {
	if len(b) < fixedHeader+4 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than a header", errCorrupt, len(b))
	}
	magic := entryMagic()
	if string(b[:8]) != string(magic[:]) {
		return nil, fmt.Errorf("%w: magic %q, want %q", errCorrupt, b[:8], magic[:])
	}
	if string(b[8:40]) != string(key[:]) {
		return nil, fmt.Errorf("%w: the entry belongs to another key", errCorrupt)
	}
	le := binary.LittleEndian
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(b[len(b)-4:]); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", errCorrupt, got, want)
	}
	p := b[40:]
	flags := le.Uint32(p)
	r := &extract.Result{
		SR:     int(le.Uint32(p[4:])),
		Hop:    int(le.Uint32(p[8:])),
		Tempo:  math.Float64frombits(le.Uint64(p[12:])),
		Vector: flags&flagVector != 0,
	}
	nWave, nBeats := le.Uint64(p[20:]), le.Uint64(p[28:])
	nMats, kindLen := uint64(le.Uint32(p[36:])), uint64(le.Uint32(p[40:]))
	p = p[44:]
	// Check the sizes against the bytes present before trusting any of them.
	avail := uint64(len(body) - fixedHeader)
	if kindLen > maxKindLen || nMats > avail/8 || nWave > avail/4 || nBeats > avail/8 {
		return nil, fmt.Errorf("%w: header claims more than the %d bytes present", errCorrupt, len(b))
	}
	need := kindLen + 8*nMats + 4*nWave + 8*nBeats
	if need > avail {
		return nil, fmt.Errorf("%w: header claims more than the %d bytes present", errCorrupt, len(b))
	}
	r.Kind = string(p[:kindLen])
	p = p[kindLen:]
	shapes := p[:8*nMats]
	p = p[8*nMats:]
	var cells uint64
	for i := range nMats {
		rows, cols := uint64(le.Uint32(shapes[8*i:])), uint64(le.Uint32(shapes[8*i+4:]))
		if rows > avail || cols > avail || rows*cols > avail/4 {
			return nil, fmt.Errorf("%w: matrix %d claims %dx%d values", errCorrupt, i, rows, cols)
		}
		cells += rows * cols
	}
	switch {
	case flags >= flagExamples<<1,
		nWave > 0 && flags&flagWave == 0,
		nBeats > 0 && flags&flagBeats == 0,
		nMats > 0 && flags&(flagMatrix|flagExamples) == 0,
		flags&flagMatrix != 0 && (nMats != 1 || flags&flagExamples != 0):
		return nil, fmt.Errorf("%w: flags %#x disagree with the counts", errCorrupt, flags)
	}
	if need+4*cells != avail {
		return nil, fmt.Errorf("%w: %d bytes, the header implies %d", errCorrupt, len(b), fixedHeader+need+4*cells+4)
	}
	if flags&flagWave != 0 {
		r.Wave, p = readFloats(p, int(nWave))
	}
	if flags&flagBeats != 0 {
		r.Beats = make([]int, nBeats)
		for i := range r.Beats {
			r.Beats[i] = int(int64(le.Uint64(p[8*i:])))
		}
		p = p[8*nBeats:]
	}
	mats := make([]*features.Matrix, nMats)
	for i := range mats {
		rows, cols := int(le.Uint32(shapes[8*i:])), int(le.Uint32(shapes[8*i+4:]))
		m := &features.Matrix{Rows: rows, Cols: cols}
		m.Data, p = readFloats(p, rows*cols)
		mats[i] = m
	}
	if flags&flagMatrix != 0 {
		r.Matrix = mats[0]
	} else if flags&flagExamples != 0 {
		r.Examples = mats
	}
	return r, nil
}

func readFloats(p []byte, n int) ([]float32, []byte) {
	v := make([]float32, n)
	if littleEndian && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*n), p)
		return v, p[4*n:]
	}
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return v, p[4*n:]
}
