package features

import "fmt"

// Feature is a set of the features an Analyzer computes, combined with |.
type Feature uint

const (
	// FeatSpectrogram is |STFT|^Power (bins x frames).
	FeatSpectrogram Feature = 1 << iota
	// FeatMel is the mel spectrogram (librosa.feature.melspectrogram).
	FeatMel
	// FeatMelDB is the mel spectrogram in dB with AnalyzerConfig.DB (librosa.power_to_db).
	FeatMelDB
	// FeatMFCC is librosa.feature.mfcc.
	FeatMFCC
	// FeatChroma is librosa.feature.chroma_stft.
	FeatChroma
	// FeatOnset is librosa.onset.onset_strength of the analysis mel spectrogram.
	FeatOnset
	// FeatBeats is librosa.beat.beat_track: the tempo and the beat frames.
	FeatBeats

	// FeatAll is every feature.
	FeatAll = FeatSpectrogram | FeatMel | FeatMelDB | FeatMFCC | FeatChroma | FeatOnset | FeatBeats
)

// AnalyzerConfig describes the features of an Analyzer with librosa's parameter names. The
// zero value of every field but SampleRate is librosa's default.
type AnalyzerConfig struct {
	// SampleRate of the clips, in Hz (required).
	SampleRate int
	// STFT is the analysis transform. NFFT 0 means 2048, Win 0 means NFFT and Hop 0 means
	// Win/4 (librosa's hop_length=None).
	STFT STFTConfig
	// Power is the spectrogram exponent mel and chroma are computed from; 0 means 2.
	Power float64
	// NMels (0 means 128), FMin, FMax, HTK, Norm and NormP describe the mel filterbank as
	// MelConfig does.
	NMels      int
	FMin, FMax float64
	HTK        bool
	Norm       MelNorm
	NormP      float64
	// DB converts the mel spectrogram for FeatMelDB. MFCC and onset strength always use
	// librosa's defaults (ref 1.0, amin 1e-10, top_db 80), as librosa does.
	DB DBOptions
	// NMFCC is the number of cepstral coefficients; 0 means 20.
	NMFCC int
	// NChroma (0 means 12) and Tuning describe the chroma filterbank.
	NChroma int
	Tuning  float64
	// Beat configures the beat tracker.
	Beat BeatOptions
}

// Features holds what Analyzer.Analyze computed. Every field Analyze computed, whether asked
// for or needed on the way (MFCC needs the mel spectrogram, for instance), is set; the others
// are nil, or 0 for Tempo.
type Features struct {
	// Frames is the number of STFT frames (the Cols of every matrix).
	Frames      int
	Spectrogram *Matrix
	Mel         *Matrix
	// MelDB is the mel spectrogram in dB with AnalyzerConfig.DB.
	MelDB  *Matrix
	MFCC   *Matrix
	Chroma *Matrix
	Onset  []float32
	Tempo  float64
	Beats  []int
}

// beatNFFT and beatNMels are the spectrogram librosa.beat.beat_track(y=...) builds its onset
// envelope from, whatever the analysis parameters: onset_strength's defaults.
const (
	beatNFFT  = 2048
	beatNMels = 128
)

// Analyzer is the plan for computing every feature of a clip from one STFT: the STFT plan, the
// mel and chroma filterbanks, the DCT basis and the buffers, all built once and reused clip
// after clip. It is not safe for concurrent use; give each goroutine its own Analyzer.
//
// Beat tracking uses librosa's fixed onset spectrogram (n_fft 2048, 128 Slaney mel bands up to
// sr/2, power 2, centred frames) at the analysis hop. When the analysis has exactly those
// parameters its mel spectrogram is reused; otherwise the Analyzer computes that second STFT
// and mel spectrogram for the beats only.
type Analyzer struct {
	cfg    AnalyzerConfig
	stft   *STFT
	mel    *MelBank
	chroma *ChromaBank
	dct    *dctPlan

	// The beat tracker's own spectrogram, nil when the analysis one is reused.
	beatSTFT *STFT
	beatMel  *MelBank

	// Intermediates that are not returned.
	melDB1, beatSpec, beatMelS, beatMelDB *Matrix
	beatEnv                               []float32
	chromaAcc                             []float64
}

// NewAnalyzer validates cfg, fills in its defaults and builds the plan.
func NewAnalyzer(cfg AnalyzerConfig) (*Analyzer, error) {
	if cfg.SampleRate <= 0 {
		return nil, fmt.Errorf("features: analyzer sample rate %d: must be positive", cfg.SampleRate)
	}
	if cfg.STFT.NFFT == 0 {
		cfg.STFT.NFFT = 2048
	}
	if cfg.STFT.Win == 0 {
		cfg.STFT.Win = cfg.STFT.NFFT
	}
	if cfg.STFT.Hop == 0 {
		cfg.STFT.Hop = cfg.STFT.Win / 4
	}
	if cfg.Power == 0 {
		cfg.Power = 2
	}
	if cfg.NMels == 0 {
		cfg.NMels = 128
	}
	if cfg.NMFCC == 0 {
		cfg.NMFCC = 20
	}
	if cfg.NChroma == 0 {
		cfg.NChroma = 12
	}
	if cfg.NMFCC < 0 {
		return nil, fmt.Errorf("features: analyzer n_mfcc %d: must be positive", cfg.NMFCC)
	}
	if !(cfg.Power > 0) {
		return nil, fmt.Errorf("features: analyzer power %g: must be positive", cfg.Power)
	}
	a := &Analyzer{cfg: cfg}
	var err error
	if a.stft, err = NewSTFT(cfg.STFT); err != nil {
		return nil, err
	}
	melCfg := MelConfig{SampleRate: cfg.SampleRate, NFFT: cfg.STFT.NFFT, NMels: cfg.NMels,
		FMin: cfg.FMin, FMax: cfg.FMax, HTK: cfg.HTK, Norm: cfg.Norm, P: cfg.NormP}
	if a.mel, err = NewMelBank(melCfg); err != nil {
		return nil, err
	}
	a.chroma, err = NewChromaBank(ChromaConfig{SampleRate: cfg.SampleRate, NFFT: cfg.STFT.NFFT,
		NChroma: cfg.NChroma, Tuning: cfg.Tuning})
	if err != nil {
		return nil, err
	}
	a.dct = newDCTPlan(cfg.NMels, cfg.NMFCC)
	beatMelCfg := MelConfig{SampleRate: cfg.SampleRate, NFFT: beatNFFT, NMels: beatNMels}
	sameSTFT := cfg.STFT == STFTConfig{NFFT: beatNFFT, Hop: cfg.STFT.Hop, Win: beatNFFT}
	sameMel := melCfg.NMels == beatNMels && melCfg.FMin == 0 && melCfg.fmax() == beatMelCfg.fmax() &&
		!melCfg.HTK && melCfg.Norm == MelNormSlaney
	if !sameSTFT || !sameMel || cfg.Power != 2 {
		if a.beatSTFT, err = NewSTFT(STFTConfig{NFFT: beatNFFT, Hop: cfg.STFT.Hop}); err != nil {
			return nil, err
		}
		if a.beatMel, err = NewMelBank(beatMelCfg); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Config returns the configuration with its defaults filled in.
func (a *Analyzer) Config() AnalyzerConfig { return a.cfg }

// Frames returns the number of frames of a clip of n samples.
func (a *Analyzer) Frames(n int) int { return a.stft.Frames(n) }

// Analyze computes the features in want for the clip y from one STFT (two when beats are
// wanted and the analysis spectrogram is not the one beat tracking uses; see Analyzer).
// dst's buffers are reused when dst is not nil; the result is returned.
func (a *Analyzer) Analyze(dst *Features, y []float32, want Feature) *Features {
	if dst == nil {
		dst = &Features{}
	}
	reuseBeats := want&FeatBeats != 0 && a.beatSTFT == nil
	needDB1 := want&(FeatMFCC|FeatOnset) != 0 || reuseBeats
	needMel := want&(FeatMel|FeatMelDB) != 0 || needDB1
	needSpec := want&(FeatSpectrogram|FeatChroma) != 0 || needMel

	dst.Frames = a.stft.Frames(len(y))
	dst.Spectrogram, dst.Mel = keepIf(needSpec, dst.Spectrogram), keepIf(needMel, dst.Mel)
	if needSpec {
		dst.Spectrogram = a.stft.Power(dst.Spectrogram, y, a.cfg.Power)
	}
	if needMel {
		dst.Mel = a.mel.Apply(dst.Mel, dst.Spectrogram)
	}
	// db1 is power_to_db with librosa's defaults, which MFCC and onset strength take; it is
	// dst.MelDB itself when the caller's dB options are the defaults too.
	var db1 *Matrix
	defaultDB := a.cfg.DB.resolved() == DBOptions{}.resolved()
	switch {
	case want&FeatMelDB != 0 && defaultDB:
		dst.MelDB = PowerToDB(dst.MelDB, dst.Mel, DBOptions{})
		db1 = dst.MelDB
	case want&FeatMelDB != 0:
		dst.MelDB = PowerToDB(dst.MelDB, dst.Mel, a.cfg.DB)
	default:
		dst.MelDB = nil
	}
	if needDB1 && db1 == nil {
		a.melDB1 = PowerToDB(a.melDB1, dst.Mel, DBOptions{})
		db1 = a.melDB1
	}
	if want&FeatMFCC != 0 {
		dst.MFCC = a.dct.apply(dst.MFCC, db1)
	} else {
		dst.MFCC = nil
	}
	if want&FeatChroma != 0 {
		dst.Chroma, a.chromaAcc = a.chroma.apply(dst.Chroma, dst.Spectrogram, a.chromaAcc)
	} else {
		dst.Chroma = nil
	}
	if want&FeatOnset != 0 {
		opt := OnsetOptions{Aggregate: AggMean}
		if !a.cfg.STFT.NoCenter {
			opt.NFFT, opt.Hop = a.cfg.STFT.NFFT, a.cfg.STFT.Hop
		}
		dst.Onset = OnsetStrength(dst.Onset, db1, opt)
	} else {
		dst.Onset = nil
	}
	dst.Tempo, dst.Beats = 0, nil
	if want&FeatBeats != 0 {
		beatDB := db1
		if a.beatSTFT != nil {
			a.beatSpec = a.beatSTFT.Power(a.beatSpec, y, 2)
			a.beatMelS = a.beatMel.Apply(a.beatMelS, a.beatSpec)
			a.beatMelDB = PowerToDB(a.beatMelDB, a.beatMelS, DBOptions{})
			beatDB = a.beatMelDB
		}
		a.beatEnv = OnsetStrength(a.beatEnv, beatDB, OnsetOptions{NFFT: beatNFFT, Hop: a.cfg.STFT.Hop, Aggregate: AggMedian})
		dst.Tempo, dst.Beats = BeatTrack(a.beatEnv, a.cfg.SampleRate, a.cfg.STFT.Hop, a.cfg.Beat)
	}
	return dst
}

// keepIf returns m when it will be recomputed (so its storage is reused), nil otherwise.
func keepIf(need bool, m *Matrix) *Matrix {
	if need {
		return m
	}
	return nil
}
