package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/views/featureview"
	"github.com/hark-audio/hark/views/render"
)

const featuresSynopsis = `FILE|DIR [--kind KIND] [feature flags] (--npy OUT | --json | --render [--width W --height H])

Computes librosa-exact features of an audio file (WAV, AU, FLAC, OGG Vorbis, MP3), or of every
audio file under a folder in parallel. Defaults are librosa 0.11's.

Kinds:
` + "%s"

func runFeatures(args []string, stdout, stderr io.Writer) int {
	cfg := extract.Default("mel")
	fs := newFlagSet("features", fmt.Sprintf(featuresSynopsis, extract.KindHelp()), stdout)
	kind := fs.String("kind", "mel", "feature kind (see above)")
	fs.IntVar(&cfg.SR, "sr", 0, "resample to this rate in Hz (0: the file's own rate)")
	fs.IntVar(&cfg.NFFT, "n-fft", cfg.NFFT, "FFT size")
	fs.IntVar(&cfg.Hop, "hop", cfg.Hop, "hop length in samples")
	fs.IntVar(&cfg.Win, "win", 0, "window length in samples (0: n-fft)")
	fs.BoolVar(&cfg.Center, "center", true, "pad n_fft/2 zeros on both sides (librosa center=True)")
	noCenter := fs.Bool("no-center", false, "do not pad (librosa center=False)")
	power := fs.Float64("power", 0, "exponent of the magnitude (default: 1 for stft, 2 otherwise)")
	fs.IntVar(&cfg.NMels, "n-mels", cfg.NMels, "mel bands")
	fs.Float64Var(&cfg.FMin, "fmin", 0, "lowest mel frequency in Hz")
	fs.Float64Var(&cfg.FMax, "fmax", 0, "highest mel frequency in Hz (0: sr/2)")
	fs.BoolVar(&cfg.HTK, "htk", false, "HTK mel scale instead of Slaney's")
	fs.StringVar(&cfg.MelNorm, "mel-norm", cfg.MelNorm, "mel filter normalisation: slaney, none, 1 or 2")
	fs.Float64Var(&cfg.TopDB, "top-db", cfg.TopDB, "dB floor below the maximum (negative: none)")
	fs.StringVar(&cfg.Ref, "ref", cfg.Ref, "mel-db reference power: 1 or max")
	fs.IntVar(&cfg.NMFCC, "n-mfcc", cfg.NMFCC, "MFCC coefficients")
	fs.IntVar(&cfg.DeltaWidth, "delta-width", cfg.DeltaWidth, "delta window width (odd, >= 3)")
	fs.IntVar(&cfg.NChroma, "n-chroma", cfg.NChroma, "chroma bins")
	fs.StringVar(&cfg.BeatSync, "beat-sync", "", "aggregate between tracked beats: median or mean")
	npyOut := fs.String("npy", "", "write float32 .npy (a folder when the input is a folder)")
	asJSON := fs.Bool("json", false, "print one JSON document on stdout")
	draw := fs.Bool("render", false, "draw the feature in the terminal")
	width := fs.Int("width", 0, "render width in cells (default: the terminal's, or 100)")
	height := fs.Int("height", 0, "render height in cells (default: the terminal's, or 30)")
	threads := fs.Int("threads", 0, "parallel files for a folder (0: all cores)")
	timing := fs.Bool("timing", false, "print the seconds spent computing on stderr")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "hark features: want exactly one FILE or DIR, got %d (run 'hark features --help')\n", len(pos))
		return exitUsage
	}
	outputs := 0
	for _, b := range []bool{*npyOut != "", *asJSON, *draw} {
		if b {
			outputs++
		}
	}
	if outputs != 1 {
		fmt.Fprintln(stderr, "hark features: choose exactly one of --npy OUT, --json or --render")
		return exitUsage
	}
	cfg.Kind = *kind
	if *noCenter {
		cfg.Center = false
	}
	cfg.Power = extract.Default(cfg.Kind).Power
	if *power != 0 {
		cfg.Power = *power
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "hark features: %v\n", err)
		return exitUser
	}

	in := pos[0]
	st, err := os.Stat(in)
	if err != nil {
		fmt.Fprintf(stderr, "hark features: %v\n", err)
		return exitUser
	}
	files := []string{in}
	root := filepath.Dir(in)
	if st.IsDir() {
		root = in
		if files, err = extract.AudioFiles(in); err != nil {
			fmt.Fprintf(stderr, "hark features: %v\n", err)
			return exitUser
		}
		if len(files) == 0 {
			fmt.Fprintf(stderr, "hark features: %s: no audio files (wav, au, snd, flac, ogg, mp3) under it\n", in)
			return exitUser
		}
	}

	out := featureOutput{cfg: cfg, stdout: stdout, stderr: stderr, dir: st.IsDir(), root: root, npy: *npyOut}
	if *draw {
		out.render = true
		out.profile = render.ProfileFromEnv(os.Environ(), isTerminal(stdout))
		out.width, out.height = renderSize(*width, *height)
	}
	start := time.Now()
	var computing time.Duration
	failed := 0
	err = extract.Files(context.Background(), files, cfg, *threads, func(r extract.FileResult) {
		if r.Err != nil {
			failed++
			fmt.Fprintf(stderr, "hark features: %v\n", r.Err)
			out.problems = append(out.problems, featureProblem{Path: r.Path, Error: r.Err.Error()})
			return
		}
		computing += r.Result.Elapsed
		if err := out.emit(r.Path, r.Result); err != nil {
			failed++
			fmt.Fprintf(stderr, "hark features: %v\n", err)
			out.problems = append(out.problems, featureProblem{Path: r.Path, Error: err.Error()})
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "hark features: %v\n", err)
		return exitUser
	}
	if err := out.finish(); err != nil {
		fmt.Fprintf(stderr, "hark features: %v\n", err)
		return exitUser
	}
	if *timing {
		fmt.Fprintf(stderr, "hark features: %d files, %.3f s computing (summed over workers), %.3f s wall\n",
			len(files)-failed, computing.Seconds(), time.Since(start).Seconds())
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "hark features: %d of %d files failed\n", failed, len(files))
		return exitUser
	}
	return exitOK
}

// renderSize picks the drawing size: the flags, else $COLUMNS/$LINES, else 100 x 30.
func renderSize(w, h int) (int, int) {
	if w <= 0 {
		w = envInt("COLUMNS", 100)
	}
	if h <= 0 {
		h = envInt("LINES", 30)
	}
	return w, h
}

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(os.Getenv(name), &v); err != nil || v <= 0 {
		return def
	}
	return v
}

type featureProblem struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// featureOutput writes each file's result as it arrives, in the chosen form.
type featureOutput struct {
	cfg            extract.Config
	stdout, stderr io.Writer
	dir            bool
	root, npy      string
	render         bool
	profile        colorprofile.Profile
	width, height  int
	docs           []map[string]any
	problems       []featureProblem
}

func (o *featureOutput) emit(path string, r *extract.Result) error {
	switch {
	case o.npy != "":
		dst := o.npy
		if o.dir {
			rel, err := filepath.Rel(o.root, path)
			if err != nil {
				return err
			}
			dst = filepath.Join(o.npy, strings.TrimSuffix(rel, filepath.Ext(rel))+".npy")
		}
		return r.WriteNpyFile(dst)
	case o.render:
		title := filepath.Base(path)
		if o.dir {
			title, _ = filepath.Rel(o.root, path)
		}
		_, err := io.WriteString(o.stdout, featureview.Draw(r, o.cfg, featureview.Options{
			Width: o.width, Height: o.height, Profile: o.profile, Title: title})+"\n")
		return err
	default:
		doc := r.JSON()
		if o.dir {
			doc["path"] = path
		}
		o.docs = append(o.docs, doc)
		return nil
	}
}

// finish writes what waits for every file: the JSON document.
func (o *featureOutput) finish() error {
	if o.render || o.npy != "" {
		return nil
	}
	var doc any
	if o.dir {
		problems := o.problems
		if problems == nil {
			problems = []featureProblem{}
		}
		doc = map[string]any{"kind": o.cfg.Kind, "config": o.cfg, "files": o.docs, "problems": problems}
	} else if len(o.docs) == 1 {
		doc = o.docs[0]
	} else {
		return nil // the single file failed and was reported
	}
	enc := json.NewEncoder(o.stdout)
	return enc.Encode(doc)
}

// isTerminal reports whether w is a character device (a terminal), for colour decisions.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
