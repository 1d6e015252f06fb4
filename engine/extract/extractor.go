package extract

import (
	"fmt"
	"time"

	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/features/audio"
)

// Extractor computes one Config's feature for clip after clip. It keeps one features.Analyzer
// per sample rate it has met (clips of a folder usually share one), so filterbanks and buffers
// are built once. It is not safe for concurrent use; Files gives each worker its own.
type Extractor struct {
	cfg       Config
	analyzers map[int]*features.Analyzer
	feats     features.Features
}

// NewExtractor validates cfg and returns an Extractor for it.
func NewExtractor(cfg Config) (*Extractor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Extractor{cfg: cfg, analyzers: map[int]*features.Analyzer{}}, nil
}

// Config returns the configuration the Extractor computes.
func (e *Extractor) Config() Config { return e.cfg }

// File decodes path (resampling to Config.SR when it is set; VGGish always works at 16 kHz)
// and computes the feature. Errors name the file.
func (e *Extractor) File(path string) (*Result, error) {
	start := time.Now()
	sr := e.cfg.SR
	if e.cfg.Kind == "vggish" {
		sr = 16000
	}
	y, rate, err := audio.LoadMono(path, sr)
	if err != nil {
		return nil, err // the decoder's errors already name the file
	}
	r, err := e.Samples(y, rate)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// Samples computes the feature of mono samples y at sr Hz. The returned matrices belong to the
// Result (they are not reused by the next call).
func (e *Extractor) Samples(y []float32, sr int) (*Result, error) {
	r := &Result{Kind: e.cfg.Kind, SR: sr, Hop: e.cfg.Hop}
	switch e.cfg.Kind {
	case "wave":
		r.Wave = y
		return r, nil
	case "vggish":
		ex, err := features.VGGishExamples(y, sr)
		if err != nil {
			return nil, err
		}
		r.Examples, r.Hop = ex, 160 // 10 ms at 16 kHz
		return r, nil
	}
	a, err := e.analyzer(sr)
	if err != nil {
		return nil, err
	}
	want := map[string]features.Feature{
		"stft": features.FeatSpectrogram, "mel": features.FeatMel, "mel-db": features.FeatMelDB,
		"mfcc": features.FeatMFCC, "mfcc-delta": features.FeatMFCC, "chroma": features.FeatChroma,
		"onset": features.FeatOnset, "beats": features.FeatBeats,
	}[e.cfg.Kind]
	if e.cfg.BeatSync != "" {
		want |= features.FeatBeats
	}
	// A fresh Features each call: the results are handed to the caller, who may keep them.
	f := a.Analyze(nil, y, want)
	switch e.cfg.Kind {
	case "stft":
		r.Matrix = f.Spectrogram
	case "mel":
		r.Matrix = f.Mel
	case "mel-db":
		r.Matrix = f.MelDB
	case "mfcc":
		r.Matrix = f.MFCC
	case "mfcc-delta":
		if r.Matrix, err = features.Delta(nil, f.MFCC, e.cfg.DeltaWidth, 1); err != nil {
			return nil, err
		}
	case "chroma":
		r.Matrix = f.Chroma
	case "onset":
		r.Matrix = &features.Matrix{Rows: 1, Cols: len(f.Onset), Data: f.Onset}
		r.Vector = e.cfg.BeatSync == ""
	case "beats":
		// The samples travel along so that a drawing can mark the beats on the waveform.
		r.Tempo, r.Beats, r.Wave = f.Tempo, f.Beats, y
		return r, nil
	}
	r.Beats, r.Tempo = f.Beats, f.Tempo
	if e.cfg.BeatSync != "" {
		agg := features.AggMean
		if e.cfg.BeatSync == "median" {
			agg = features.AggMedian
		}
		r.Matrix = features.Sync(nil, r.Matrix, f.Beats, agg)
	}
	return r, nil
}

func (e *Extractor) analyzer(sr int) (*features.Analyzer, error) {
	if a, ok := e.analyzers[sr]; ok {
		return a, nil
	}
	c := e.cfg
	ac := features.AnalyzerConfig{
		SampleRate: sr,
		STFT:       features.STFTConfig{NFFT: c.NFFT, Hop: c.Hop, Win: c.Win, NoCenter: !c.Center},
		Power:      c.Power,
		NMels:      c.NMels, FMin: c.FMin, FMax: c.FMax, HTK: c.HTK,
		Norm:    map[string]features.MelNorm{"slaney": features.MelNormSlaney, "none": features.MelNormNone, "1": features.MelNormL1, "2": features.MelNormL2, "inf": features.MelNormInf}[c.MelNorm],
		DB:      features.DBOptions{RefMax: c.Ref == "max", TopDB: c.TopDB},
		NMFCC:   c.NMFCC,
		NChroma: c.NChroma,
	}
	a, err := features.NewAnalyzer(ac)
	if err != nil {
		return nil, err
	}
	e.analyzers[sr] = a
	return a, nil
}
