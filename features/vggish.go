package features

import (
	"fmt"
	"math"
)

// The VGGish front end (tensorflow/models research/audioset/vggish: vggish_params.py,
// mel_features.py, vggish_input.waveform_to_examples).
const (
	vggishRate       = 16000
	vggishWin        = 400 // round(0.025 s * 16000)
	vggishHop        = 160 // round(0.010 s * 16000)
	vggishFFT        = 512 // the power of two above the window
	vggishBands      = 64
	vggishLowHz      = 125.0
	vggishHighHz     = 7500.0
	vggishLogOffset  = 0.01
	vggishExampleLen = 96 // frames per 0.96 s example, also the hop between examples
)

// VGGishExamples computes the log-mel examples VGGish takes, as
// vggish_input.waveform_to_examples does for 16 kHz mono audio (resample first; another rate
// is an error): frames of 400 samples (25 ms) every 160 (10 ms), without padding, Hann
// windowed and zero-padded to 512 points; the STFT magnitude through 64 mel bands from 125 to
// 7500 Hz (HTK mel scale 1127*ln(1+f/700), triangles in mel, DC bin excluded, no
// normalisation); then ln(mel + 0.01). Consecutive groups of 96 frames (0.96 s) form the
// examples, the remainder is dropped, so a clip shorter than 0.975 s has none.
//
// Each example is a 96 x 64 matrix with Rows = frames and Cols = mel bands: VGGish's own
// [frames, bands] layout, the transpose of this package's bins x frames convention.
// Everything is computed in float64 and rounded to float32 at the end, like the reference.
func VGGishExamples(y []float32, sr int) ([]*Matrix, error) {
	if sr != vggishRate {
		return nil, fmt.Errorf("features: VGGish examples need %d Hz audio, got %d Hz (resample first)", vggishRate, sr)
	}
	st, err := NewSTFT(STFTConfig{NFFT: vggishFFT, Hop: vggishHop, Win: vggishWin, NoCenter: true})
	if err != nil {
		return nil, err
	}
	nFrames := 0
	if len(y) >= vggishWin {
		nFrames = 1 + (len(y)-vggishWin)/vggishHop
	}
	nEx := nFrames / vggishExampleLen
	if nEx == 0 {
		return nil, nil
	}
	nFrames = nEx * vggishExampleLen
	// VGGish's frame t is y[t*hop:][:400], windowed and followed by 112 zeros; the plan
	// centres the window in its 512 points instead, which changes only the phase, so its frame
	// starts lpad samples earlier to put the window on y[t*hop:].
	mag := st.power(nil, y, 1, -(vggishFFT-vggishWin)/2, nFrames)
	w := vggishMelWeights()
	nb := mag.Rows
	logmel := make([]float64, nFrames*vggishBands) // frame-major
	for m := 0; m < vggishBands; m++ {
		wm := w[m*nb : (m+1)*nb]
		lo, hi := support(wm)
		for t := 0; t < nFrames; t++ {
			var s float64
			for k := lo; k < hi; k++ {
				s += wm[k] * float64(mag.Data[k*nFrames+t])
			}
			logmel[t*vggishBands+m] = math.Log(s + vggishLogOffset)
		}
	}
	out := make([]*Matrix, nEx)
	for e := range out {
		ex := NewMatrix(vggishExampleLen, vggishBands)
		for i, v := range logmel[e*len(ex.Data) : (e+1)*len(ex.Data)] {
			ex.Data[i] = float32(v)
		}
		out[e] = ex
	}
	return out, nil
}

// vggishMelWeights is mel_features.spectrogram_to_mel_matrix(64, 257, 16000, 125, 7500)
// transposed to bands x bins (row-major).
func vggishMelWeights() []float64 {
	nb := vggishFFT/2 + 1
	hzToMel := func(f float64) float64 { return 1127.0 * math.Log(1.0+f/700.0) }
	binMel := linspace(0, vggishRate/2.0, nb, true)
	for k, f := range binMel {
		binMel[k] = hzToMel(f)
	}
	edges := linspace(hzToMel(vggishLowHz), hzToMel(vggishHighHz), vggishBands+2, true)
	w := make([]float64, vggishBands*nb)
	for m := 0; m < vggishBands; m++ {
		lower, center, upper := edges[m], edges[m+1], edges[m+2]
		for k := 1; k < nb; k++ { // bin 0 (DC) keeps a zero weight
			lo := (binMel[k] - lower) / (center - lower)
			up := (upper - binMel[k]) / (upper - center)
			w[m*nb+k] = math.Max(0, math.Min(lo, up))
		}
	}
	return w
}
