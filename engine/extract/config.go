package extract

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Kinds lists every feature kind, in the order `hark features --help` shows them.
var kindInfo = []struct{ name, what string }{
	{"wave", "the decoded mono samples"},
	{"stft", "STFT magnitude (|X|^power, power 1 by default), (1 + n_fft/2) x frames"},
	{"mel", "mel power spectrogram, n_mels x frames"},
	{"mel-db", "mel spectrogram in dB (power_to_db with --ref and --top-db)"},
	{"mfcc", "MFCC (orthonormal DCT-II of the dB mel spectrogram, ref 1), n_mfcc x frames"},
	{"mfcc-delta", "first-order deltas of the MFCC (librosa.feature.delta)"},
	{"chroma", "chroma_stft (tuning 0, per-frame max normalisation), n_chroma x frames"},
	{"onset", "onset strength envelope (mean over mel bands), frames"},
	{"beats", "tempo (BPM) and beat frames (librosa.beat.beat_track)"},
	{"vggish", "VGGish log-mel examples, examples x 96 x 64 (16 kHz)"},
}

// Kinds returns the names of every feature kind.
func Kinds() []string {
	out := make([]string, len(kindInfo))
	for i, k := range kindInfo {
		out[i] = k.name
	}
	return out
}

// KindHelp describes every kind, one per line, for command help.
func KindHelp() string {
	var b strings.Builder
	for _, k := range kindInfo {
		fmt.Fprintf(&b, "  %-11s %s\n", k.name, k.what)
	}
	return b.String()
}

// Config is one feature request: the kind and librosa's parameters, named after them. It is
// plain data (a session file and a cache key store it). Default returns librosa's defaults.
type Config struct {
	Kind       string  `json:"kind"`
	SR         int     `json:"sr"`     // resample to this rate; 0 keeps the file's own
	NFFT       int     `json:"n_fft"`  // FFT size
	Hop        int     `json:"hop"`    // hop length in samples
	Win        int     `json:"win"`    // window length; 0 means n_fft
	Center     bool    `json:"center"` // pad n_fft/2 zeros on both sides
	Power      float64 `json:"power"`  // exponent of the magnitude (stft 1, mel 2)
	NMels      int     `json:"n_mels"`
	FMin       float64 `json:"fmin"`
	FMax       float64 `json:"fmax"` // 0 means sr/2
	HTK        bool    `json:"htk"`
	MelNorm    string  `json:"mel_norm"` // slaney, none, 1, 2, inf
	TopDB      float64 `json:"top_db"`   // negative disables the floor
	Ref        string  `json:"ref"`      // mel-db reference: "1" or "max"
	NMFCC      int     `json:"n_mfcc"`
	DeltaWidth int     `json:"delta_width"`
	NChroma    int     `json:"n_chroma"`
	BeatSync   string  `json:"beat_sync,omitempty"` // "", median or mean
}

// Default returns librosa 0.11's defaults for kind (n_fft 2048, hop 512, 128 mels, 20 MFCCs,
// Slaney mel with Slaney norm, centre padding with zeros, ref 1, top_db 80, delta width 9).
// The stft kind defaults to power 1 (magnitude) and every mel-based kind to power 2.
func Default(kind string) Config {
	c := Config{
		Kind: kind, NFFT: 2048, Hop: 512, Center: true, Power: 2,
		NMels: 128, MelNorm: "slaney", TopDB: 80, Ref: "1", NMFCC: 20, DeltaWidth: 9, NChroma: 12,
	}
	if kind == "stft" {
		c.Power = 1
	}
	return c
}

// Validate reports the first parameter that cannot work, naming it and its value.
func (c Config) Validate() error {
	known := false
	for _, k := range kindInfo {
		known = known || k.name == c.Kind
	}
	switch {
	case !known:
		return fmt.Errorf("unknown feature kind %q (one of %s)", c.Kind, strings.Join(Kinds(), ", "))
	case c.SR < 0:
		return fmt.Errorf("sr %d: must be positive (or 0 for the file's own rate)", c.SR)
	case c.NFFT < 1:
		return fmt.Errorf("n_fft %d: must be at least 1", c.NFFT)
	case c.Hop < 1:
		return fmt.Errorf("hop %d: must be at least 1", c.Hop)
	case c.Win < 0 || c.Win > c.NFFT:
		return fmt.Errorf("win %d: must be between 1 and n_fft (%d), or 0 for n_fft", c.Win, c.NFFT)
	case c.Power <= 0:
		return fmt.Errorf("power %g: must be positive", c.Power)
	case c.NMels < 1:
		return fmt.Errorf("n_mels %d: must be at least 1", c.NMels)
	case c.FMin < 0:
		return fmt.Errorf("fmin %g: must not be negative", c.FMin)
	case c.FMax < 0:
		return fmt.Errorf("fmax %g: must not be negative (0 means sr/2)", c.FMax)
	case c.FMax != 0 && c.FMax <= c.FMin:
		return fmt.Errorf("fmax %g: must be above fmin %g", c.FMax, c.FMin)
	case c.TopDB == 0:
		return fmt.Errorf("top_db 0 would flatten the spectrogram to its maximum: use a positive floor, or a negative value for none")
	case c.NMFCC < 1:
		return fmt.Errorf("n_mfcc %d: must be at least 1", c.NMFCC)
	case c.NMFCC > c.NMels && (c.Kind == "mfcc" || c.Kind == "mfcc-delta"):
		return fmt.Errorf("n_mfcc %d: must not exceed n_mels %d", c.NMFCC, c.NMels)
	case c.DeltaWidth < 3 || c.DeltaWidth%2 == 0:
		return fmt.Errorf("delta width %d: must be odd and at least 3", c.DeltaWidth)
	case c.NChroma < 1:
		return fmt.Errorf("n_chroma %d: must be at least 1", c.NChroma)
	}
	switch c.MelNorm {
	case "slaney", "none", "1", "2", "inf":
	default:
		return fmt.Errorf("mel norm %q: must be slaney, none, 1, 2 or inf", c.MelNorm)
	}
	switch c.Ref {
	case "1", "max":
	default:
		return fmt.Errorf("ref %q: must be 1 or max", c.Ref)
	}
	switch c.BeatSync {
	case "", "median", "mean":
	default:
		return fmt.Errorf("beat sync %q: must be median or mean", c.BeatSync)
	}
	if c.BeatSync != "" && (c.Kind == "wave" || c.Kind == "beats" || c.Kind == "vggish") {
		return fmt.Errorf("beat sync applies to matrix kinds, not %s", c.Kind)
	}
	return nil
}

// Key is a canonical text form of the configuration, for cache keys and logs.
func (c Config) Key() string {
	b, _ := json.Marshal(c) // a struct of plain fields always marshals
	return string(b)
}
