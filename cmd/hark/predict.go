package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/features/audio"
	"github.com/hark-audio/hark/models"
	"github.com/hark-audio/hark/views/featureview"
	"github.com/hark-audio/hark/views/render"
)

const predictSynopsis = `(--model FILE.hark | --session FILE | --run DIR) AUDIO... [--segment DURATION] [--json | --render]

Predicts audio files with a trained model: the GTZAN seed's prediction tool. Each file is
decoded, cut into the model's segment length when the model was trained on segments (the run's
spec beside the model says so; --segment overrides, --segment none predicts whole files), its
features are computed exactly as in training (the model file carries the feature configuration
and the normalisation), and every segment is predicted. The report gives each segment's class
and confidence, the per-file class percentages (votes of the segments) with the verdict, and the
time spent. An AUDIO argument may be a folder: every audio file under it is predicted.
--render also draws each file's waveform (the segments' boundaries marked on its time axis) and
mel spectrogram in the terminal (--width, --height; plain ASCII with NO_COLOR or TERM=dumb).

A regression model reports its target values (per segment and their mean per file).
Exit status: 0, or 1 when a file could not be predicted (the others are still reported).`

// predictJSON is `hark predict --json`.
type predictJSON struct {
	Model    string            `json:"model"`
	Task     string            `json:"task"`
	Classes  []string          `json:"classes,omitempty"`
	Targets  []string          `json:"targets,omitempty"`
	Segment  float64           `json:"segment_seconds,omitempty"`
	Files    []predictFileJSON `json:"files"`
	Problems []problemJSON     `json:"problems"`
	Seconds  float64           `json:"seconds"`
}

type predictFileJSON struct {
	Path     string               `json:"path"`
	Duration float64              `json:"duration"`
	Segments []predictSegmentJSON `json:"segments"`
	// Pred is the class with most segment votes; Percent the votes per class in percent;
	// MeanProbs the mean of the segments' probabilities.
	Pred      string             `json:"pred,omitempty"`
	Score     float64            `json:"score,omitempty"`
	Percent   map[string]float64 `json:"percent,omitempty"`
	MeanProbs map[string]float64 `json:"mean_probs,omitempty"`
	// Values are a regression model's mean predictions per target.
	Values  map[string]float64 `json:"values,omitempty"`
	Seconds float64            `json:"seconds"`
}

type predictSegmentJSON struct {
	Index  int                `json:"index"`
	Start  float64            `json:"start"`
	End    float64            `json:"end"`
	Pred   string             `json:"pred,omitempty"`
	Score  float64            `json:"score,omitempty"`
	Probs  map[string]float64 `json:"probs,omitempty"`
	Values map[string]float64 `json:"values,omitempty"`
}

func runPredict(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("predict", predictSynopsis, stdout)
	modelPath := fs.String("model", "", "the saved model `FILE` (model.hark of a run folder)")
	session := fs.String("session", "", "a session `FILE`: predict with the model of its last finished run")
	runDir := fs.String("run", "", "a run `DIR` (the --out of hark train): its model.hark")
	segment := fs.String("segment", "", "cut files into segments of `DURATION` (e.g. 5s), or none (default: the model's own)")
	asJSON := fs.Bool("json", false, "print one JSON document on stdout")
	threads := fs.Int("threads", 0, "kernel goroutines (0: all cores)")
	draw := fs.Bool("render", false, "also draw each file's waveform and mel spectrogram")
	width := fs.Int("width", 0, "with --render: the drawing's width in cells (default $COLUMNS, else 100)")
	height := fs.Int("height", 0, "with --render: the drawing's height in cells (default $LINES, else 30)")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if *draw && *asJSON {
		fmt.Fprintln(stderr, "hark predict: --render draws in the terminal and --json prints JSON: choose one")
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hark predict: "+format+"\n", a...)
		return exitUser
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "hark predict: no AUDIO files given (run 'hark predict --help')")
		return exitUsage
	}
	if *threads < 0 {
		return fail("--threads %d: must not be negative", *threads)
	}
	src, err := locateModel(*modelPath, *session, *runDir)
	if err != nil {
		if errors.Is(err, errNoModelFlag) {
			fmt.Fprintf(stderr, "hark predict: %v (run 'hark predict --help')\n", err)
			return exitUsage
		}
		return fail("%v", err)
	}
	pm, err := loadPredictor(src.model, *threads)
	if err != nil {
		return fail("%v", err)
	}
	seg, err := pm.segmentLength(*segment, src.spec)
	if err != nil {
		return fail("%v", err)
	}
	var files []string
	for _, p := range pos {
		st, err := os.Stat(p)
		if err != nil {
			return fail("%s: %v", p, unwrapPath(err))
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := extract.AudioFiles(p)
		if err != nil {
			return fail("%v", err)
		}
		if len(found) == 0 {
			return fail("%s: no audio files (wav, au, snd, flac, ogg, mp3) under it", p)
		}
		files = append(files, found...)
	}

	doc := predictJSON{Model: src.model, Task: pm.task(), Classes: pm.classes, Targets: pm.targets, Segment: seg.Seconds(), Problems: []problemJSON{}, Files: []predictFileJSON{}}
	start := time.Now()
	for _, f := range files {
		r, err := pm.predictFile(f, seg)
		if err != nil {
			fmt.Fprintf(stderr, "hark predict: %v\n", err)
			doc.Problems = append(doc.Problems, problemJSON{Path: f, Error: err.Error()})
			continue
		}
		doc.Files = append(doc.Files, r)
		if !*asJSON {
			io.WriteString(stdout, predictText(r, pm))
		}
		if *draw {
			w, h := renderSize(*width, *height)
			io.WriteString(stdout, drawPrediction(r, w, h, render.ProfileFromEnv(os.Environ(), isTerminal(stdout))))
		}
	}
	doc.Seconds = time.Since(start).Seconds()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return fail("%v", err)
		}
	} else {
		fmt.Fprintf(stdout, "%d files predicted in %.3f s\n", len(doc.Files), doc.Seconds)
	}
	if len(doc.Problems) > 0 {
		fmt.Fprintf(stderr, "hark predict: %d of %d files failed\n", len(doc.Problems), len(files))
		return exitUser
	}
	return exitOK
}

// modelSource is a saved model and, when known, the RunSpec it was trained with.
type modelSource struct {
	model string
	spec  *train.RunSpec
}

var errNoModelFlag = errors.New("give the model: --model FILE.hark, --run DIR or --session FILE")

// runSpecFile and runResultFile are what `hark train` writes beside model.hark in its run
// folder: the resolved RunSpec (as RunStarted reported it) and the result JSON.
const (
	runSpecFile   = "spec.json"
	runResultFile = "result.json"
	runModelFile  = "model.hark"
)

// locateModel finds the model file and its run spec from --model, --run or --session.
func locateModel(model, session, runDir string) (modelSource, error) {
	given := 0
	for _, v := range []string{model, session, runDir} {
		if v != "" {
			given++
		}
	}
	switch {
	case given == 0:
		return modelSource{}, errNoModelFlag
	case given > 1:
		return modelSource{}, errors.New("--model, --run and --session: give only one")
	}
	switch {
	case session != "":
		return modelFromSession(session)
	case runDir != "":
		st, err := os.Stat(runDir)
		if err != nil || !st.IsDir() {
			return modelSource{}, fmt.Errorf("--run %q: not a run folder", runDir)
		}
		model = filepath.Join(runDir, runModelFile)
		if _, err := os.Stat(model); err != nil {
			return modelSource{}, fmt.Errorf("--run %q: no %s in it (did the run finish an epoch?)", runDir, runModelFile)
		}
	}
	if st, err := os.Stat(model); err != nil {
		return modelSource{}, fmt.Errorf("--model %q: %v", model, unwrapPath(err))
	} else if st.IsDir() {
		return modelSource{}, fmt.Errorf("--model %q: a folder (use --run DIR for a run folder)", model)
	}
	if !isModelFile(model) {
		return modelSource{}, fmt.Errorf("--model %q: not a saved Hark model (no HARKMODEL1 header)", model)
	}
	src := modelSource{model: model}
	spec, err := readRunSpecBeside(model)
	if err != nil {
		return modelSource{}, err
	}
	src.spec = spec
	return src, nil
}

// readRunSpecBeside reads the run spec in a model's folder; nil when there is none.
func readRunSpecBeside(model string) (*train.RunSpec, error) {
	path := filepath.Join(filepath.Dir(model), runSpecFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s, err := train.ParseRunSpec(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &s, nil
}

// predictor is a loaded model with its feature pipeline.
type predictor struct {
	model    *models.Model
	meta     models.Meta
	features train.FeatureSpec
	ex       *extract.Extractor
	classes  []string
	targets  []string
	softmax  bool
}

func loadPredictor(path string, threads int) (*predictor, error) {
	m, meta, err := models.LoadFile(path, models.Options{Threads: threads})
	if err != nil {
		return nil, err
	}
	p := &predictor{model: m, meta: meta, classes: meta.Classes}
	if len(meta.Features) == 0 {
		return nil, fmt.Errorf("%s: the model carries no feature configuration (was it saved by a training run?)", path)
	}
	if err := json.Unmarshal(meta.Features, &p.features); err != nil {
		return nil, fmt.Errorf("%s: feature configuration: %v", path, err)
	}
	if m.Spec().Siamese {
		return nil, fmt.Errorf("%s: a pair (siamese) model compares two inputs; predict takes single files", path)
	}
	switch p.features.Config.Kind {
	case train.KindImage, "npy":
		return nil, fmt.Errorf("%s: the model reads %s features, not audio", path, p.features.Config.Kind)
	}
	if p.ex, err = extract.NewExtractor(p.features.Config); err != nil {
		return nil, fmt.Errorf("%s: feature configuration: %v", path, err)
	}
	heads := m.Heads()
	if len(heads) == 1 && heads[0].Kind == models.HeadSoftmax {
		p.softmax = true
		if len(p.classes) != heads[0].Outputs {
			return nil, fmt.Errorf("%s: %d class names for %d outputs", path, len(p.classes), heads[0].Outputs)
		}
		return p, nil
	}
	for _, h := range heads {
		if h.Kind == models.HeadSoftmax {
			return nil, fmt.Errorf("%s: models with several classification heads are not supported by predict", path)
		}
	}
	if tn := meta.TargetNorm; tn != nil && (len(tn.Mean) != m.Outputs() || len(tn.Std) != m.Outputs()) {
		return nil, fmt.Errorf("%s: target normalisation of %d values for %d outputs", path, len(tn.Mean), m.Outputs())
	}
	if len(meta.Targets) == m.Outputs() {
		p.targets = meta.Targets
		return p, nil
	}
	for _, h := range heads {
		for j := 0; j < h.Outputs; j++ {
			name := h.Name
			if name == "" {
				name = "output"
			}
			if h.Outputs > 1 {
				name = fmt.Sprintf("%s[%d]", name, j)
			}
			p.targets = append(p.targets, name)
		}
	}
	return p, nil
}

// value is output j of a regression model in its target's units (training standardised the
// targets; the model carries their statistics).
func (p *predictor) value(j int, v float32) float64 {
	if tn := p.meta.TargetNorm; tn != nil {
		return float64(v)*float64(tn.Std[j]) + float64(tn.Mean[j])
	}
	return float64(v)
}

func (p *predictor) task() string {
	if p.softmax {
		return string(dataset.Classify)
	}
	return string(dataset.Regress)
}

// segmentLength decides the segment length: the flag, else the run's, else (a model trained on
// a fixed number of frames, without its run spec) the length those frames cover when the model
// was trained with frames set; 0 predicts whole files.
func (p *predictor) segmentLength(flagValue string, spec *train.RunSpec) (time.Duration, error) {
	switch flagValue {
	case "":
	case "none", "0":
		return 0, nil
	default:
		d, err := time.ParseDuration(flagValue)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("--segment %q: not a positive duration such as 5s", flagValue)
		}
		return d, nil
	}
	if spec != nil {
		return spec.Dataset.Spec.Segments.Length, nil
	}
	return 0, nil
}

// predictFile predicts one file's segments.
func (p *predictor) predictFile(path string, seg time.Duration) (predictFileJSON, error) {
	start := time.Now()
	out := predictFileJSON{Path: path}
	y, rate, err := audio.LoadMono(path, p.features.Config.SR)
	if err != nil {
		return out, err
	}
	out.Duration = float64(len(y)) / float64(rate)
	type piece struct{ lo, hi int }
	var pieces []piece
	if seg > 0 {
		n := int((int64(seg)*int64(rate) + int64(time.Second)/2) / int64(time.Second))
		for lo := 0; lo+n <= len(y); lo += n {
			pieces = append(pieces, piece{lo, lo + n})
		}
	}
	if len(pieces) == 0 {
		// Whole files, and files shorter than one segment (padded as in training).
		pieces = []piece{{0, len(y)}}
	}
	mats := make([]*features.Matrix, len(pieces))
	for i, pc := range pieces {
		r, err := p.ex.Samples(y[pc.lo:pc.hi], rate)
		if err != nil {
			return out, fmt.Errorf("%s: %w", path, err)
		}
		mats[i] = r.Matrix
	}
	bt, err := train.Inputs(p.model, p.features, p.meta.Norm, mats)
	if err != nil {
		return out, fmt.Errorf("%s: %w", path, err)
	}
	probs, err := p.model.PredictBatch(nil, bt)
	if err != nil {
		return out, fmt.Errorf("%s: %w", path, err)
	}
	k := p.model.Outputs()
	var segs []eval.Segment
	for i, pc := range pieces {
		row := probs[i*k : (i+1)*k]
		sj := predictSegmentJSON{Index: i, Start: float64(pc.lo) / float64(rate), End: float64(pc.hi) / float64(rate)}
		if p.softmax {
			c := eval.Classified{ID: fmt.Sprintf("%s#%d", path, i), True: -1, Probs: make([]float64, k)}
			sj.Probs = map[string]float64{}
			for j, v := range row {
				c.Probs[j] = float64(v)
				sj.Probs[p.classes[j]] = float64(v)
			}
			pred, conf := c.Predicted()
			sj.Pred, sj.Score = p.classes[pred], conf
			segs = append(segs, eval.Segment{Clip: path, Classified: c})
		} else {
			sj.Values = map[string]float64{}
			for j, v := range row {
				sj.Values[p.targets[j]] = p.value(j, v)
			}
		}
		out.Segments = append(out.Segments, sj)
	}
	if p.softmax {
		votes, err := eval.VoteClips(p.classes, segs)
		if err != nil {
			return out, fmt.Errorf("%s: %w", path, err)
		}
		c := votes.Clips[0]
		out.Pred, out.Score = p.classes[c.ByVote], c.MeanProbs[c.ByVote]
		out.Percent, out.MeanProbs = map[string]float64{}, map[string]float64{}
		for j, name := range p.classes {
			out.Percent[name] = c.Percent[j]
			out.MeanProbs[name] = c.MeanProbs[j]
		}
	} else {
		out.Values = map[string]float64{}
		for _, s := range out.Segments {
			for name, v := range s.Values {
				out.Values[name] += v / float64(len(out.Segments))
			}
		}
	}
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// predictText is one file's human report.
func predictText(r predictFileJSON, p *predictor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %.2f s, %d segment%s, predicted in %.3f s\n", r.Path, r.Duration, len(r.Segments), plural(len(r.Segments)), r.Seconds)
	if p.softmax {
		if len(r.Segments) > 1 {
			fmt.Fprintf(&b, "  %7s %15s  %-20s %s\n", "segment", "time", "prediction", "confidence")
			for _, s := range r.Segments {
				fmt.Fprintf(&b, "  %7d %6.2f-%6.2f s  %-20s %.3f\n", s.Index, s.Start, s.End, s.Pred, s.Score)
			}
		}
		// Classes by share, most voted first; classes with no votes are left out.
		names := append([]string(nil), p.classes...)
		sortByValue(names, r.Percent, r.MeanProbs)
		var parts []string
		for _, n := range names {
			if r.Percent[n] > 0 {
				parts = append(parts, fmt.Sprintf("%s %.1f%%", n, r.Percent[n]))
			}
		}
		fmt.Fprintf(&b, "  => %s (mean probability %.3f)   %s\n\n", r.Pred, r.Score, strings.Join(parts, ", "))
		return b.String()
	}
	for _, name := range p.targets {
		fmt.Fprintf(&b, "  %-16s %.4f\n", name, r.Values[name])
	}
	b.WriteString("\n")
	return b.String()
}

// drawPrediction draws a predicted file for --render: its waveform, with the segments'
// boundaries marked on the time axis, over its mel spectrogram in dB, in width x height cells.
// It decodes the file again at its own rate (prediction decoded it at the model's), so the
// drawing shows the recording as it is. A file that cannot be drawn says why in one line.
func drawPrediction(r predictFileJSON, width, height int, profile colorprofile.Profile) string {
	y, sr, err := audio.LoadMono(r.Path, 0)
	if err != nil {
		return fmt.Sprintf("  (not drawn: %v)\n\n", err)
	}
	var marks []int
	for _, s := range r.Segments[1:] {
		marks = append(marks, int(math.Round(s.Start*float64(sr))))
	}
	waveHeight := max(6, height/3)
	wave := render.Waveform(y, sr, render.WaveformOptions{Width: width, Height: waveHeight, Profile: profile,
		Title: fmt.Sprintf("waveform, %d segment%s", len(r.Segments), plural(len(r.Segments))), Beats: marks})
	// librosa's defaults (n_fft 2048, hop 512, 128 mels) suit songs; a short clip (a spoken
	// digit) would get a handful of frames, so the hop halves, down to 64 samples, until the
	// clip has about a frame per column.
	cfg := extract.Default("mel-db")
	for cfg.Hop > 64 && len(y)/cfg.Hop < width {
		cfg.Hop /= 2
	}
	cfg.NFFT = min(cfg.NFFT, 4*cfg.Hop)
	cfg.NMels = min(cfg.NMels, cfg.NFFT/4)
	ex, err := extract.NewExtractor(cfg)
	if err != nil {
		return wave + fmt.Sprintf("\n  (mel spectrogram not drawn: %v)\n\n", err)
	}
	mel, err := ex.Samples(y, sr)
	if err != nil {
		return wave + fmt.Sprintf("\n  (mel spectrogram not drawn: %v)\n\n", err)
	}
	cfg.SR = sr
	return wave + "\n" + featureview.Draw(mel, cfg, featureview.Options{Width: width, Height: max(8, height-waveHeight), Profile: profile}) + "\n\n"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// sortByValue orders names by primary value, then secondary, both descending, then by name.
func sortByValue(names []string, primary, secondary map[string]float64) {
	less := func(a, b string) bool {
		if primary[a] != primary[b] {
			return primary[a] > primary[b]
		}
		if secondary[a] != secondary[b] {
			return secondary[a] > secondary[b]
		}
		return a < b
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && less(names[j], names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
}

// modelFromSession finds the model of a session's last run that saved one, with its spec.
func modelFromSession(path string) (modelSource, error) {
	run, err := lastSessionRun(path)
	if err != nil {
		return modelSource{}, err
	}
	return modelSource{model: run.model, spec: &run.spec}, nil
}
