package features

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

func TestZZXref(t *testing.T) {
	dir := "/tmp/h/xref/"
	b, err := os.ReadFile(dir + "cases.json")
	if err != nil {
		t.Skip()
	}
	var cases []map[string]any
	json.Unmarshal(b, &cases)
	_, sd := readRefNPY(t, dir+"signal.npy")
	y := make([]float32, len(sd))
	for i, v := range sd {
		y[i] = float32(v)
	}
	num := func(c map[string]any, k string) float64 { return c[k].(float64) }
	for _, c := range cases {
		name := c["name"].(string)
		shape, want := readRefNPY(t, dir+name+".npy")
		var got *Matrix
		switch c["kind"] {
		case "stft":
			st, err := NewSTFT(STFTConfig{NFFT: int(num(c, "n_fft")), Hop: int(num(c, "hop")), Win: int(num(c, "win")), NoCenter: !c["center"].(bool)})
			if err != nil {
				t.Fatal(err)
			}
			got = st.Power(nil, y, 1)
		case "mel":
			cfg := MelConfig{SampleRate: int(num(c, "sr")), NFFT: int(num(c, "n_fft")), NMels: int(num(c, "n_mels")), FMin: num(c, "fmin"), FMax: num(c, "fmax"), HTK: c["htk"].(bool)}
			switch n := c["norm"].(type) {
			case string:
				cfg.Norm = map[string]MelNorm{"slaney": MelNormSlaney, "none": MelNormNone, "inf": MelNormInf}[n]
			case float64:
				cfg.Norm = map[float64]MelNorm{1: MelNormL1, 2: MelNormL2}[n]
				if n > 2 {
					cfg.Norm, cfg.P = MelNormP, n
				}
			}
			got, err = MelFilterbank(cfg)
		case "chroma":
			got, err = ChromaFilterbank(ChromaConfig{SampleRate: int(num(c, "sr")), NFFT: int(num(c, "n_fft")), NChroma: int(num(c, "n_chroma")), Tuning: num(c, "tuning")})
		case "delta":
			_, d := readRefNPY(t, dir+"deltain.npy")
			x := NewMatrix(13, 40)
			for i, v := range d {
				x.Data[i] = float32(v)
			}
			got, err = Delta(nil, x, int(num(c, "width")), int(num(c, "order")))
		case "dct":
			_, d := readRefNPY(t, dir+"logmel.npy")
			x := NewMatrix(57, 30)
			for i, v := range d {
				x.Data[i] = float32(v)
			}
			got = MFCC(nil, x, int(num(c, "k")))
		}
		if err != nil {
			t.Fatal(name, err)
		}
		if got.Rows != shape[0] || got.Cols != shape[1] {
			t.Errorf("%s: shape %v want %v", name, got, shape)
			continue
		}
		tol := c["tol"].([]any)
		worst, at, fails := refCompare(matrixResult(got).Data, want, tol[0].(float64), tol[1].(float64))
		var peak float64
		for _, v := range want {
			peak = math.Max(peak, math.Abs(v))
		}
		if fails > 0 {
			t.Errorf("%s: %d fails, worst %g at %d (got %g want %g), peak %g", name, fails, worst, at, got.Data[at], want[at], peak)
		} else {
			t.Logf("%s ok worst %g peak %g", name, worst, peak)
		}
	}
}

func TestZZVGGish(t *testing.T) {
	shape, want := readRefNPY(t, "/tmp/h/xref/vgg.npy")
	_, d := readRefNPY(t, "/tmp/h/xref/vgg_in.npy")
	y := make([]float32, len(d))
	for i, v := range d {
		y[i] = float32(v)
	}
	ex, err := VGGishExamples(y, 16000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != shape[0] {
		t.Fatalf("%d examples, want %v", len(ex), shape)
	}
	var got []float64
	for _, e := range ex {
		got = append(got, matrixResult(e).Data...)
	}
	worst, at, fails := refCompare(got, want, 1e-5, 1e-6)
	t.Log(worst, at, fails, got[at], want[at])
	if fails > 0 {
		t.Fail()
	}
}
