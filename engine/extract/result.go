package extract

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/internal/atomicfile"
)

// Result is one file's feature, shaped as librosa returns it.
type Result struct {
	Kind string
	SR   int // the sample rate the feature was computed at
	Hop  int
	// Exactly one of the following is set, by kind.
	Wave     []float32          // wave (and beats, for drawing): the mono samples
	Matrix   *features.Matrix   // stft, mel, mel-db, mfcc, mfcc-delta, chroma; onset as one row
	Vector   bool               // the librosa output is 1-D (onset without beat sync): shape (frames,)
	Examples []*features.Matrix // vggish: examples of 96 frames x 64 bands
	Tempo    float64            // beats
	Beats    []int              // beats: frame indices
	Elapsed  time.Duration      // time spent computing (decode included)
}

// Shape is the array shape librosa would return.
func (r *Result) Shape() []int {
	switch {
	case r.Kind == "wave":
		return []int{len(r.Wave)}
	case r.Kind == "beats":
		return []int{len(r.Beats)}
	case r.Kind == "vggish":
		return []int{len(r.Examples), vggishFrames, vggishBands}
	case r.Vector:
		return []int{r.Matrix.Cols}
	default:
		return []int{r.Matrix.Rows, r.Matrix.Cols}
	}
}

const vggishFrames, vggishBands = 96, 64

// WriteNpyFile writes the result as a C-order .npy that numpy.load reads with librosa's shape:
// float32 for features and samples, int64 beat frames for beats. Parent folders are created;
// the file appears only when complete (written to a temporary name, then renamed).
func (r *Result) WriteNpyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return writeNpy(w, r.Shape(), r.flat()) })
}

// flat is the result's values in C order, matching Shape.
func (r *Result) flat() any {
	switch r.Kind {
	case "wave":
		return r.Wave
	case "beats":
		b := make([]int64, len(r.Beats))
		for i, v := range r.Beats {
			b[i] = int64(v)
		}
		return b
	case "vggish":
		out := make([]float32, 0, len(r.Examples)*vggishFrames*vggishBands)
		for _, m := range r.Examples {
			out = append(out, m.Data...)
		}
		return out
	default:
		return r.Matrix.Data
	}
}

// nested is the result as nested slices for JSON, rows sharing the matrix storage.
func (r *Result) nested() any {
	switch {
	case r.Kind == "wave":
		return r.Wave
	case r.Kind == "vggish":
		ex := make([][][]float32, len(r.Examples))
		for i, m := range r.Examples {
			ex[i] = rows(m)
		}
		return ex
	case r.Vector:
		return r.Matrix.Data
	default:
		return rows(r.Matrix)
	}
}

// JSON is the document of `hark features --json`: {"kind","sr","hop","shape","data"}, or for
// beats {"kind","sr","hop","tempo","beats"}.
func (r *Result) JSON() map[string]any {
	doc := map[string]any{"kind": r.Kind, "sr": r.SR, "hop": r.Hop}
	if r.Kind == "beats" {
		beats := r.Beats
		if beats == nil {
			beats = []int{}
		}
		doc["tempo"] = r.Tempo
		doc["beats"] = beats
		return doc
	}
	doc["shape"] = r.Shape()
	doc["data"] = finite(r.nested())
	return doc
}

// finite replaces NaN and ±Inf (which JSON cannot carry) by null, recursively; features never
// produce them from finite audio, but a hand-made config (power 0.5 of silence) must not break
// the document.
func finite(v any) any {
	switch x := v.(type) {
	case []float32:
		out := make([]any, len(x))
		clean := true
		for i, f := range x {
			if f != f || f > 3.4e38 || f < -3.4e38 {
				clean = false
				out[i] = nil
			} else {
				out[i] = f
			}
		}
		if clean {
			return x
		}
		return out
	case [][]float32:
		out := make([]any, len(x))
		for i := range x {
			out[i] = finite(x[i])
		}
		return out
	case [][][]float32:
		out := make([]any, len(x))
		for i := range x {
			out[i] = finite(x[i])
		}
		return out
	default:
		return v
	}
}

func rows(m *features.Matrix) [][]float32 {
	out := make([][]float32, m.Rows)
	for i := range out {
		out[i] = m.Row(i)
	}
	return out
}
