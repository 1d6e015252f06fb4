package demo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	goaudio "github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// Options control the demo dataset. The zero value is the default demo: seed 1, 24 clips per
// class of 2 s at 16 kHz (about 9 MB).
type Options struct {
	Seed       uint64  // every random choice flows from it
	PerClass   int     // clips per class; 0 means 24
	SampleRate int     // Hz; 0 means 16000
	Seconds    float64 // clip length; 0 means 2
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.PerClass <= 0 {
		o.PerClass = 24
	}
	if o.SampleRate <= 0 {
		o.SampleRate = 16000
	}
	if o.Seconds <= 0 {
		o.Seconds = 2
	}
	return o
}

// Groups is the number of simulated recording sessions; each has its own tuning offset, so a
// group-disjoint split is a real (if mild) generalisation test.
const Groups = 6

// TargetsFile is the manifest written beside the class folders: one row per clip with its
// label, group and regression targets (tempo in BPM, brightness 0..1).
const TargetsFile = "targets.csv"

// Clip describes one generated file.
type Clip struct {
	Path       string // relative to the dataset folder, slash-separated
	Label      string
	Group      string
	Tempo      float64
	Brightness float64
}

// Generate synthesises the clips in memory-light fashion and writes them under dir as
// <class>/<class>_NNN.wav (16-bit PCM) with TargetsFile and a README.txt. The same Options
// give byte-identical files. dir is created; existing files of the same names are replaced.
func Generate(dir string, opt Options) ([]Clip, error) {
	opt = opt.withDefaults()
	tuning := rand.New(rand.NewPCG(opt.Seed, 0x6772))
	detune := make([]float64, Groups)
	for g := range detune {
		detune[g] = tuning.Float64() - 0.5 // within half a semitone
	}
	var out []Clip
	for ci, cl := range classes {
		if err := os.MkdirAll(filepath.Join(dir, cl.name), 0o755); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		for k := 0; k < opt.PerClass; k++ {
			// One stream per (class, clip): changing PerClass keeps the earlier clips.
			rng := rand.New(rand.NewPCG(opt.Seed, uint64(ci)<<32|uint64(k)))
			g := k % Groups
			c := &clip{
				rng:        rng,
				sr:         opt.SampleRate,
				y:          make([]float64, int(opt.Seconds*float64(opt.SampleRate))),
				tempo:      80 + 80*rng.Float64(),
				root:       float64(48 + rng.IntN(12)),
				brightness: rng.Float64(),
				detune:     detune[g],
			}
			cl.synth(c)
			finish(c, 12+18*rng.Float64(), 0.3+0.6*rng.Float64())
			rel := fmt.Sprintf("%s/%s_%03d.wav", cl.name, cl.name, k)
			if err := writeWAV(filepath.Join(dir, filepath.FromSlash(rel)), c.y, c.sr); err != nil {
				return nil, err
			}
			out = append(out, Clip{Path: rel, Label: cl.name, Group: fmt.Sprintf("g%d", g+1),
				Tempo: round2(c.tempo), Brightness: round2(c.brightness)})
		}
	}
	if err := writeTargets(filepath.Join(dir, TargetsFile), out); err != nil {
		return nil, err
	}
	readme := fmt.Sprintf("Hark demo dataset (seed %d): %d classes x %d clips of %g s at %d Hz.\n"+
		"Folders are the labels; %s adds the group (recording session) and two regression\n"+
		"targets per clip: tempo (BPM) and brightness (0..1), the synthesiser's own parameters.\n",
		opt.Seed, len(classes), opt.PerClass, opt.Seconds, opt.SampleRate, TargetsFile)
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte(readme), 0o644); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return out, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// finish adds white noise at snr dB below the signal's power and scales the peak to gain.
func finish(c *clip, snr, gain float64) {
	var p float64
	for _, v := range c.y {
		p += v * v
	}
	p /= float64(len(c.y))
	sigma := math.Sqrt(p / math.Pow(10, snr/10))
	peak := 0.0
	for i := range c.y {
		c.y[i] += sigma * c.rng.NormFloat64()
		peak = math.Max(peak, math.Abs(c.y[i]))
	}
	if peak == 0 {
		return
	}
	for i := range c.y {
		c.y[i] *= gain / peak
	}
}

func writeWAV(path string, y []float64, sr int) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("demo: %s: %w", path, cerr)
		}
	}()
	enc := wav.NewEncoder(f, sr, 16, 1, 1)
	buf := &goaudio.IntBuffer{Format: &goaudio.Format{NumChannels: 1, SampleRate: sr}, SourceBitDepth: 16,
		Data: make([]int, len(y))}
	for i, v := range y {
		buf.Data[i] = int(math.Round(math.Max(-1, math.Min(1, v)) * 32767))
	}
	if err := enc.Write(buf); err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	return nil
}

func writeTargets(path string, clips []Clip) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"path", "label", "group", "tempo", "brightness"})
	for _, c := range clips {
		_ = w.Write([]string{c.Path, c.Label, c.Group,
			strconv.FormatFloat(c.Tempo, 'f', 2, 64), strconv.FormatFloat(c.Brightness, 'f', 2, 64)})
	}
	w.Flush()
	if err := errors.Join(w.Error(), f.Close()); err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	return nil
}

// Cached returns the demo dataset's folder in the user cache directory, generating it on first
// use. Generation happens in a temporary sibling folder renamed into place, so a concurrent or
// interrupted first run never leaves a half-written dataset behind.
func Cached(opt Options) (string, error) {
	opt = opt.withDefaults()
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("demo: no user cache directory: %w", err)
	}
	name := fmt.Sprintf("demo-v1-seed%d-n%d-sr%d-%gs", opt.Seed, opt.PerClass, opt.SampleRate, opt.Seconds)
	dir := filepath.Join(base, "hark", name)
	if _, err := os.Stat(filepath.Join(dir, TargetsFile)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), name+".tmp-")
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	if _, err := Generate(tmp, opt); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, TargetsFile)); serr == nil {
			return dir, nil // another process won the race with identical content
		}
		return "", fmt.Errorf("demo: %w", err)
	}
	return dir, nil
}
