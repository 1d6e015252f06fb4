package cache

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
)

func randomMatrix(rng *rand.Rand, rows, cols int) *features.Matrix {
	m := features.NewMatrix(rows, cols)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64())
	}
	return m
}

// entryCases covers every shape a Result takes.
func entryCases() map[string]*extract.Result {
	rng := rand.New(rand.NewPCG(1, 2))
	wave := make([]float32, 1000)
	for i := range wave {
		wave[i] = float32(rng.Float64()*2 - 1)
	}
	special := randomMatrix(rng, 3, 4)
	special.Data[0], special.Data[1], special.Data[2] = float32(math.Inf(-1)), float32(math.NaN()), float32(math.Copysign(0, -1))
	return map[string]*extract.Result{
		"mel":        {Kind: "mel", SR: 22050, Hop: 512, Matrix: randomMatrix(rng, 128, 44)},
		"special":    {Kind: "mel-db", SR: 8000, Hop: 80, Matrix: special},
		"beat sync":  {Kind: "chroma", SR: 22050, Hop: 512, Matrix: randomMatrix(rng, 12, 9), Beats: []int{3, 10, 40}, Tempo: 117.45},
		"no beats":   {Kind: "chroma", SR: 22050, Hop: 512, Matrix: features.NewMatrix(12, 0), Beats: []int{}},
		"onset":      {Kind: "onset", SR: 22050, Hop: 512, Matrix: randomMatrix(rng, 1, 50), Vector: true},
		"vggish":     {Kind: "vggish", SR: 16000, Hop: 160, Examples: []*features.Matrix{randomMatrix(rng, 96, 64), randomMatrix(rng, 96, 64)}},
		"vggish nil": {Kind: "vggish", SR: 16000, Hop: 160, Examples: []*features.Matrix{}},
		"wave":       {Kind: "wave", SR: 16000, Hop: 512, Wave: wave},
		"beats":      {Kind: "beats", SR: 22050, Hop: 512, Wave: wave, Beats: []int{1, 2, 300}, Tempo: 99.4},
		"empty wave": {Kind: "wave", SR: 16000, Hop: 512, Wave: []float32{}},
	}
}

func TestEntryRoundTrip(t *testing.T) {
	key := [32]byte{1, 2, 3}
	for name, r := range entryCases() {
		b, err := encodeEntry(key, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := decodeEntry(key, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// NaN != NaN: compare the bits.
		a, _ := encodeEntry(key, got)
		if string(a) != string(b) || !reflect.DeepEqual(shape(got), shape(r)) {
			t.Errorf("%s: round trip changed the result", name)
		}
		if name != "special" && !reflect.DeepEqual(got, r) {
			t.Errorf("%s: got %+v, want %+v", name, got, r)
		}
	}
}

// shape is what DeepEqual can compare whatever the values (nil-ness, lengths, shapes).
func shape(r *extract.Result) []any {
	return []any{r.Kind, r.SR, r.Hop, r.Tempo, r.Vector, r.Wave == nil, len(r.Wave), r.Beats, r.Matrix == nil,
		r.Examples == nil, len(r.Examples), r.Shape()}
}

// TestEntryDamage checks that no truncation and no single flipped bit is ever accepted.
func TestEntryDamage(t *testing.T) {
	key := [32]byte{9}
	r := entryCases()["beat sync"]
	b, err := encodeEntry(key, r)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, err := decodeEntry(key, b[:n]); !errors.Is(err, errCorrupt) {
			t.Fatalf("truncated to %d of %d bytes: %v", n, len(b), err)
		}
	}
	if _, err := decodeEntry(key, append(b, 0)); !errors.Is(err, errCorrupt) {
		t.Fatalf("one byte too long: %v", err)
	}
	for i := range len(b) {
		for bit := range 8 {
			d := append([]byte(nil), b...)
			d[i] ^= 1 << bit
			if _, err := decodeEntry(key, d); !errors.Is(err, errCorrupt) {
				t.Fatalf("bit %d of byte %d flipped: %v", bit, i, err)
			}
		}
	}
	if _, err := decodeEntry([32]byte{8}, b); !errors.Is(err, errCorrupt) {
		t.Fatalf("another key: %v", err)
	}
}

// FuzzDecodeEntry checks that arbitrary bytes never panic or allocate beyond their length.
func FuzzDecodeEntry(f *testing.F) {
	key := [32]byte{7}
	for _, r := range entryCases() {
		b, _ := encodeEntry(key, r)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeEntry(key, b)
		if err == nil {
			if again, _ := encodeEntry(key, r); string(again) != string(b) {
				t.Fatal("accepted bytes that do not re-encode identically")
			}
		}
	})
}

// TestIndexLog checks that the log survives torn and interleaved writes and compacts itself.
func TestIndexLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.log")
	rec := func(i int) indexRecord {
		return indexRecord{path: pathKey(filepath.Join("/data", string(rune('a'+i%26)))),
			st:       fileStat{dev: 1, ino: uint64(i), size: int64(100 + i), mtime: int64(i) * 1e9, ctime: int64(i) * 1e9},
			recorded: int64(i+10) * 1e9, sum: Sum{byte(i)}}
	}
	var b []byte
	b = appendRecord(b, rec(0))
	b = append(b, appendRecord(nil, rec(1))[:50]...) // a torn write
	b = appendRecord(b, rec(2))
	b = append(b, "garbage"...)
	b = appendRecord(b, rec(3))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := loadIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2, 3} {
		r := rec(i)
		if got, ok := ix.m[r.path]; !ok || got != r {
			t.Errorf("record %d: %+v, %v", i, got, ok)
		}
	}
	if len(ix.m) != 3 {
		t.Errorf("%d records, want 3", len(ix.m))
	}
	// Trust needs RacyMargin between the file's times and the record.
	r := rec(3)
	abs := filepath.Join("/data", "d")
	if sum, ok := ix.lookup(abs, r.st, RacyMargin); !ok || sum != r.sum {
		t.Errorf("lookup: %v %v", sum, ok)
	}
	if _, ok := ix.lookup(abs, r.st, 11*time.Second); ok {
		t.Error("trusted a record written within the margin")
	}
	st := r.st
	st.ctime++
	if _, ok := ix.lookup(abs, st, RacyMargin); ok {
		t.Error("trusted a record of another change time")
	}

	// Many superseded records: the log is rewritten with the live ones.
	for i := range 3000 {
		if err := ix.record("/data/same", fileStat{size: int64(i)}, Sum{}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := loadIndex(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != 4*recordSize {
		t.Errorf("compacted log: %v bytes (%v), want %d", fi.Size(), err, 4*recordSize)
	}
}
