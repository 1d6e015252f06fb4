package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
)

const trainSynopsis = `--data DIR [--recipe NAME] [--features SPEC] [--model NAME|FILE] [training flags] [--json]

Trains a model on a dataset folder with real gradient descent, then evaluates the best epoch's
model on the test split (the validation split when there is none) and prints the classification
report, the confusion matrix and a summary; regression prints Spearman and Pearson correlations
per target, pairs the ROC AUC, the equal error rate and its threshold. With --json the result is
one JSON document on stdout (../shared/CLI.md); progress always goes to stderr, one line per
epoch. The run folder (--out, default a new folder under ./hark-runs/) receives model.hark (the
best model: architecture, weights, classes, feature configuration, normalisation), the
checkpoints, spec.json (the resolved RunSpec) and result.json; hark eval and hark predict read it.

Ctrl-C stops the run after the current batch: the best model so far is still evaluated, saved
and reported, and hark exits with status 130. A second Ctrl-C quits at once.

--features SPEC is KIND[:key=value,...]: KIND is mel, mel-db, mfcc, mfcc-delta, stft, chroma (an
audio feature, librosa's defaults for what is not given) or image (pair datasets of pictures).
Keys are librosa's parameter names as in extract's JSON: sr, n_fft, hop, win, center, power,
n_mels, fmin, fmax, htk, mel_norm, top_db, ref, n_mfcc, delta_width, n_chroma, beat_sync; and
frames=N (pad or crop every input to N frames; default the longest training example),
layout=image|sequence (1 x frames x bins for convolutions, frames x bins for LSTMs),
normalize=bin|global|none (standardise with training-split statistics), image_size=N.
Examples: "mfcc:n_mfcc=13,sr=22050", "mel-db:n_mels=40,n_fft=256,hop=80".

--grid "batch=32,64 weight_decay=1e-4,1e-5" trains every combination of the given settings (any
training flag; values separated by commas, or by | when they contain commas) one after another,
each in its own folder under --out, and prints a comparison table (--json: an array of results).

Recipes (--recipe NAME; flags given as well override the recipe's):
%s
Exit status: 0; 1 for a bad flag value, unreadable data or a failed run; 2 for a usage error;
130 when stopped with Ctrl-C (the best model is saved and reported).`

// trainEnv is what hark train needs from the world; tests replace it.
type trainEnv struct {
	start func(ctx context.Context, id string, spec train.RunSpec, opt train.Options) (*train.Run, error)
	// resume continues a run from the checkpoints in a folder (train.Resume).
	resume func(ctx context.Context, id string, dir string, opt train.Options) (*train.Run, error)
	// interrupt delivers Ctrl-C; nil listens to the process's SIGINT.
	interrupt <-chan os.Signal
	// now names default run folders.
	now func() time.Time
}

func runTrain(args []string, stdout, stderr io.Writer) int {
	return trainCommand(args, stdout, stderr, trainEnv{start: train.Start, resume: train.Resume, now: time.Now})
}

// exitInterrupted is the status after Ctrl-C (128 + SIGINT, as shells report it).
const exitInterrupted = 130

// trainCell is one run to do: its spec, folder and grid settings.
type trainCell struct {
	spec train.RunSpec
	dir  string
	grid gridCell
	// resume continues the run whose checkpoints are in dir instead of starting afresh.
	resume bool
}

func trainCommand(args []string, stdout, stderr io.Writer, env trainEnv) int {
	fs := newFlagSet("train", fmt.Sprintf(trainSynopsis, recipeHelp()), stdout)
	rf := addRunFlags(fs)
	outDir := fs.String("out", "", "the run `DIR` for the model, checkpoints, spec.json and result.json (default: a new folder under ./hark-runs/)")
	sessionPath := fs.String("session", "", "record the session (spec, every epoch, result, artefacts) to `FILE`")
	asJSON := fs.Bool("json", false, "print the result as one JSON document on stdout")
	printSpec := fs.Bool("print-spec", false, "print the resolved RunSpec JSON and exit (use it with --spec)")
	gridFlag := fs.String("grid", "", "train every combination of `SETTINGS`, e.g. \"batch=32,64 weight_decay=1e-4,1e-5\"")
	resumeDir := fs.String("resume", "", "continue the run whose checkpoints are in `DIR` (a run folder) from its last finished epoch, with its own spec")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if *resumeDir != "" {
		return resumeCommand(*resumeDir, *sessionPath, *asJSON, args, stdout, stderr, env, fs)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "hark train: unexpected argument %q (the dataset goes after --data)\n", pos[0])
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hark train: "+format+"\n", a...)
		return exitUser
	}
	base, err := rf.resolve()
	if err != nil {
		return fail("%v", err)
	}
	if base.Dataset.Spec.Root == "" {
		fmt.Fprintln(stderr, "hark train: --data DIR is required (or a --spec file that names it; run 'hark train --help')")
		return exitUsage
	}
	cells := []trainCell{{spec: base}}
	if *gridFlag != "" {
		axes, err := parseGrid(*gridFlag)
		if err != nil {
			return fail("--grid %q: %v", *gridFlag, err)
		}
		cells = nil
		for _, c := range gridCells(axes) {
			s, err := rf.withCell(c).resolve()
			if err != nil {
				return fail("--grid %q: %v", *gridFlag, err)
			}
			s.Name = strings.TrimSpace(base.Name + " " + c.label())
			cells = append(cells, trainCell{spec: s, grid: c})
		}
	}
	for i := range cells {
		s, err := train.Resolve(cells[i].spec)
		if err != nil {
			return fail("%v", err)
		}
		cells[i].spec = s
	}
	if *printSpec {
		var doc any = cells[0].spec
		if *gridFlag != "" {
			specs := make([]train.RunSpec, len(cells))
			for i, c := range cells {
				specs[i] = c.spec
			}
			doc = specs
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return fail("%v", err)
		}
		return exitOK
	}
	if env.now == nil {
		env.now = time.Now
	}
	root := *outDir
	if root == "" {
		root = defaultRunDir(base.Name, env.now())
	}
	for i := range cells {
		cells[i].dir = root
		if *gridFlag != "" {
			cells[i].dir = filepath.Join(root, fmt.Sprintf("%02d-%s", i+1, safeName(cells[i].grid.label())))
		}
		if err := os.MkdirAll(cells[i].dir, 0o755); err != nil {
			return fail("--out %q: %v", root, unwrapPath(err))
		}
	}

	rec, err := newSessionRecorder(*sessionPath, append([]string{"hark", "train"}, args...), func(err error) {
		fmt.Fprintf(stderr, "hark train: --session: %v (training goes on)\n", err)
	})
	if err != nil {
		return fail("--session %q: %v", *sessionPath, err)
	}

	return trainCells(cells, *gridFlag != "", rec, *sessionPath, *asJSON, stdout, stderr, env)
}

// resumeCommand is `hark train --resume DIR`: the run's own spec, no other run settings.
func resumeCommand(dir, sessionPath string, asJSON bool, args []string, stdout, stderr io.Writer, env trainEnv, fs *flag.FlagSet) int {
	allowed := map[string]bool{"resume": true, "session": true, "json": true}
	var extra []string
	fs.Visit(func(f *flag.Flag) {
		if !allowed[f.Name] {
			extra = append(extra, "--"+f.Name)
		}
	})
	if len(extra) > 0 {
		fmt.Fprintf(stderr, "hark train: --resume continues a run with its own spec; %s cannot change it\n", strings.Join(extra, ", "))
		return exitUsage
	}
	spec, err := train.CheckpointSpec(dir)
	if err != nil {
		fmt.Fprintf(stderr, "hark train: --resume %q: %v\n", dir, err)
		return exitUser
	}
	rec, err := newSessionRecorder(sessionPath, append([]string{"hark", "train"}, args...), func(err error) {
		fmt.Fprintf(stderr, "hark train: --session: %v (training goes on)\n", err)
	})
	if err != nil {
		fmt.Fprintf(stderr, "hark train: --session %q: %v\n", sessionPath, err)
		return exitUser
	}
	return trainCells([]trainCell{{spec: spec, dir: dir, resume: true}}, false, rec, sessionPath, asJSON, stdout, stderr, env)
}

// trainCells runs the cells one after another and prints their results: one report, or a grid
// table.
func trainCells(cells []trainCell, grid bool, rec *sessionRecorder, sessionPath string, asJSON bool, stdout, stderr io.Writer, env trainEnv) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hark train: "+format+"\n", a...)
		return exitUser
	}
	t := &trainer{env: env, stderr: stderr, terminal: isTerminal(stderr), rec: rec, session: sessionPath}
	outcomes, interrupted := t.runAll(cells)
	if err := rec.close(); err != nil {
		fmt.Fprintf(stderr, "hark train: --session %q: %v\n", sessionPath, err)
	}

	failed := 0
	for _, o := range outcomes {
		if o.err != "" {
			failed++
		}
	}
	if !grid && len(outcomes) == 1 {
		o := outcomes[0]
		if o.err != "" {
			return fail("%s", o.err)
		}
		if o.result == nil {
			fmt.Fprintln(stderr, "hark train: stopped before the first epoch ended: no model to evaluate")
			return exitInterrupted
		}
		if asJSON {
			if err := writeJSON(stdout, resultDoc(o.result, nil)); err != nil {
				return fail("%v", err)
			}
		} else {
			io.WriteString(stdout, resultText(o.result))
		}
	} else {
		if asJSON {
			docs := make([]resultJSON, 0, len(outcomes))
			for _, o := range outcomes {
				d := resultDoc(o.result, o.cell.grid)
				d.Name, d.Error = o.cell.spec.Name, o.err
				if o.result == nil && o.err == "" {
					d.Error = "stopped before it started"
				}
				docs = append(docs, d)
			}
			if err := writeJSON(stdout, docs); err != nil {
				return fail("%v", err)
			}
		} else {
			io.WriteString(stdout, gridText(outcomes))
		}
	}
	switch {
	case interrupted:
		return exitInterrupted
	case failed > 0:
		fmt.Fprintf(stderr, "hark train: %d of %d runs failed\n", failed, len(cells))
		return exitUser
	}
	return exitOK
}

// defaultRunDir is a new folder under ./hark-runs named after the run and the time.
func defaultRunDir(name string, now time.Time) string {
	if name == "" {
		name = "run"
	}
	base := filepath.Join("hark-runs", safeName(name)+"-"+now.Format("20060102-150405"))
	dir := base
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return dir
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._=+-]+`)

// safeName makes a label usable as a file name.
func safeName(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	return strings.Trim(s, "_")
}

// runOutcome is how one run ended.
type runOutcome struct {
	cell    trainCell
	result  *train.Result
	err     string
	stopped bool
}

// trainer runs cells one after another through an engine hub, printing progress.
type trainer struct {
	env      trainEnv
	stderr   io.Writer
	terminal bool
	rec      *sessionRecorder
	session  string

	mu     sync.Mutex
	dir    string // the folder of the run the hub starts next
	resume bool   // whether it continues from that folder's checkpoints
	// batchLine is true while a live batch line is on the terminal.
	batchLine bool
	epochs    int
}

func (t *trainer) runAll(cells []trainCell) ([]runOutcome, bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	threads := cells[0].spec.Train.Threads
	hub := engine.NewHub(ctx, func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		t.mu.Lock()
		dir, resume := t.dir, t.resume
		t.mu.Unlock()
		ext, _ := cachedExtract()
		opt := train.Options{Dir: dir, Threads: threads, Extract: ext}
		if resume {
			return t.env.resume(ctx, id, dir, opt)
		}
		return t.env.start(ctx, id, spec, opt)
	})
	events, endWatch := hub.Watch(ctx)
	defer endWatch()
	interrupt := t.env.interrupt
	if interrupt == nil {
		sig := make(chan os.Signal, 2)
		signal.Notify(sig, os.Interrupt)
		defer signal.Stop(sig)
		interrupt = sig
	}

	var outcomes []runOutcome
	interrupted := false
	for _, cell := range cells {
		if interrupted {
			break
		}
		t.mu.Lock()
		t.dir, t.resume = cell.dir, cell.resume
		t.mu.Unlock()
		id, err := hub.Start(cell.spec, "local")
		if err != nil {
			outcomes = append(outcomes, runOutcome{cell: cell, err: err.Error()})
			continue
		}
		o := runOutcome{cell: cell}
	wait:
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					o.err = "the engine closed the event stream"
					break wait
				}
				if ev.RunID() != id {
					continue
				}
				t.rec.record(ev)
				t.show(ev, cell)
				if fin, ok := ev.(train.RunFinished); ok {
					o.result, o.err, o.stopped = fin.Result, fin.Err, fin.Stopped
					break wait
				}
			case <-interrupt:
				if interrupted {
					t.clearBatch()
					fmt.Fprintln(t.stderr, "hark train: interrupted again: quitting without waiting for the model to be saved")
					os.Exit(exitInterrupted)
				}
				interrupted = true
				t.clearBatch()
				fmt.Fprintln(t.stderr, "hark train: stopping after this batch; the best model so far is evaluated and saved (Ctrl-C again to quit at once)")
				hub.Stop(id)
			}
		}
		if o.result != nil {
			if t.session != "" {
				o.result.Session = t.session
			}
			if err := writeJSONFile(filepath.Join(cell.dir, runResultFile), resultDoc(o.result, cell.grid)); err != nil {
				fmt.Fprintf(t.stderr, "hark train: %v\n", err)
			}
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, interrupted
}

// show prints one event's progress line on stderr.
func (t *trainer) show(ev train.Event, cell trainCell) {
	switch ev := ev.(type) {
	case train.Preparing:
		switch {
		case t.terminal:
			if ev.Total > 0 {
				fmt.Fprintf(t.stderr, "\r\033[K  %s %d/%d", ev.Stage, ev.Done, ev.Total)
			} else {
				fmt.Fprintf(t.stderr, "\r\033[K  %s", ev.Stage)
			}
			t.batchLine = true
		case ev.Total > 0 && ev.Done == ev.Total:
			fmt.Fprintf(t.stderr, "%s: %d done\n", ev.Stage, ev.Total)
		}
	case train.RunStarted:
		t.clearBatch()
		t.epochs = ev.Spec.Train.Epochs
		if err := writeJSONFile(filepath.Join(cell.dir, runSpecFile), ev.Spec); err != nil {
			fmt.Fprintf(t.stderr, "hark train: %v\n", err)
		}
		what := ev.Task
		if len(ev.Classes) > 0 {
			what += fmt.Sprintf(", %d classes", len(ev.Classes))
		}
		if len(ev.Targets) > 0 {
			what += ", targets " + strings.Join(ev.Targets, ", ")
		}
		name := ev.Run
		if ev.Spec.Name != "" {
			name += " (" + ev.Spec.Name + ")"
		}
		fmt.Fprintf(t.stderr, "%s: %s; %d train / %d val / %d test examples of %s; %s parameters; folder %s\n",
			name, what, ev.Sizes["train"], ev.Sizes["val"], ev.Sizes["test"], shapeText(ev.Input), thousands(ev.Params), cell.dir)
		if n := len(ev.Problems); n > 0 {
			fmt.Fprintf(t.stderr, "%d files or items left out:\n", n)
			for i, p := range ev.Problems {
				if i == maxProblemRows {
					fmt.Fprintf(t.stderr, "  ... and %d more (the result's \"problems\" lists them all)\n", n-maxProblemRows)
					break
				}
				fmt.Fprintf(t.stderr, "  %s\n", p)
			}
		}
	case train.BatchDone:
		if !t.terminal {
			return
		}
		fmt.Fprintf(t.stderr, "\r\033[K  epoch %d/%d  batch %d/%d  loss %.4f  %.0f samples/s", ev.Epoch, t.epochs, ev.Batch, ev.Batches, ev.Loss, ev.SamplesPerSecond)
		t.batchLine = true
	case train.EpochDone:
		t.clearBatch()
		best := ""
		if ev.Best == ev.Epoch {
			best = "  *"
		}
		fmt.Fprintf(t.stderr, "epoch %*d/%d  loss %.4f / %.4f  %s %.4f / %.4f  lr %.3g  %.1f s  %.0f samples/s%s\n",
			len(fmt.Sprint(ev.Epochs)), ev.Epoch, ev.Epochs, ev.TrainLoss, ev.ValLoss, ev.Metric, ev.TrainMetric, ev.ValMetric, ev.LR, ev.Seconds, ev.SamplesPerSecond, best)
	case train.EvalDone:
		t.clearBatch()
		if ev.Result != nil {
			fmt.Fprintf(t.stderr, "evaluated the best model (epoch %d) on the %s split%s\n", ev.Result.BestEpoch, ev.Split, headline(ev.Result))
		}
	case train.RunFinished:
		t.clearBatch()
		switch {
		case ev.Err != "":
			fmt.Fprintf(t.stderr, "%s failed: %s\n", ev.Run, ev.Err)
		case ev.Stopped:
			fmt.Fprintf(t.stderr, "%s stopped by the user\n", ev.Run)
		}
	}
}

func (t *trainer) clearBatch() {
	if t.batchLine {
		fmt.Fprint(t.stderr, "\r\033[K")
		t.batchLine = false
	}
}

// headline is ": accuracy 0.912" (or the task's main metric) for progress lines.
func headline(r *train.Result) string {
	for _, k := range []string{"accuracy", "mean_spearman", "auc"} {
		if v, ok := r.Metrics[k]; ok {
			return fmt.Sprintf(": %s %s", k, num(v, 4))
		}
	}
	if r.AUC != nil {
		return fmt.Sprintf(": auc %s", num(*r.AUC, 4))
	}
	return ""
}

func shapeText(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "x")
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// num formats a metric; NaN (undefined) prints as "n/a".
func num(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", digits, v)
}

// resultJSON is the result document: train.Result as ../shared/CLI.md shapes it (its Floats
// write NaN as null), plus a grid cell's name, settings and error.
type resultJSON struct {
	Name  string            `json:"name,omitempty"`
	Grid  map[string]string `json:"grid,omitempty"`
	Error string            `json:"error,omitempty"`
	*train.Result
}

// resultDoc wraps a result (nil: only the grid settings) into its JSON document.
func resultDoc(r *train.Result, grid gridCell) resultJSON {
	d := resultJSON{Result: r}
	if len(grid) > 0 {
		d.Grid = map[string]string{}
		for _, kv := range grid {
			d.Grid[kv.flag] = kv.value
		}
	}
	return d
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeJSONFile(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeJSON(f, v); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// resultText is the human report of a result: the classification report and the confusion
// matrix (classification, pairs), correlations (regression), then a summary.
func resultText(r *train.Result) string {
	var b strings.Builder
	split := r.Split
	if split == "" {
		split = "evaluation"
	}
	fmt.Fprintf(&b, "%s: %s, %s split\n\n", r.RunID, r.Task, split)
	if len(r.Report) > 0 {
		writeReport(&b, r.Report)
		b.WriteString("\n")
	}
	if len(r.Confusion) > 0 && len(r.Confusion) == len(r.Classes) {
		writeConfusion(&b, r.Classes, r.Confusion)
		b.WriteString("\n")
	}
	if len(r.Spearman) > 0 || len(r.Pearson) > 0 {
		fmt.Fprintf(&b, "%-16s %10s %10s\n", "target", "spearman", "pearson")
		for _, k := range sortedKeys(r.Spearman, r.Pearson) {
			sp, ok1 := r.Spearman[k]
			pe, ok2 := r.Pearson[k]
			if !ok1 {
				sp = math.NaN()
			}
			if !ok2 {
				pe = math.NaN()
			}
			fmt.Fprintf(&b, "%-16s %10s %10s\n", k, num(sp, 4), num(pe, 4))
		}
		b.WriteString("\n")
	}
	var parts []string
	for _, k := range sortedKeys(r.Metrics) {
		parts = append(parts, fmt.Sprintf("%s %s", k, num(r.Metrics[k], 4)))
	}
	if r.AUC != nil {
		parts = append(parts, "auc "+num(*r.AUC, 4))
	}
	if r.EER != nil {
		parts = append(parts, "eer "+num(*r.EER, 4))
	}
	if r.Threshold != nil {
		parts = append(parts, "threshold "+num(*r.Threshold, 4))
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, "%s\n", strings.Join(parts, "  "))
	}
	if r.Epochs > 0 {
		fmt.Fprintf(&b, "%d epochs (best %d), %.1f s training, %.0f samples/s\n", r.Epochs, r.BestEpoch, r.TrainSeconds, r.SamplesPerSecond)
	}
	if r.Model != "" {
		fmt.Fprintf(&b, "model %s\n", r.Model)
	}
	if r.Session != "" {
		fmt.Fprintf(&b, "session %s\n", r.Session)
	}
	return b.String()
}

// writeReport prints the report rows as scikit-learn's classification_report does.
func writeReport(b *strings.Builder, rows []train.ReportRow) {
	width := len("weighted avg")
	for _, r := range rows {
		width = max(width, len([]rune(r.Class)))
	}
	fmt.Fprintf(b, "%*s %9s %9s %9s %9s\n", width, "", "precision", "recall", "f1-score", "support")
	blank := false
	for _, r := range rows {
		switch r.Class {
		case "accuracy":
			fmt.Fprintf(b, "\n%*s %9s %9s %9.2f %9d\n", width, r.Class, "", "", r.F1, r.Support)
			blank = true
			continue
		case "macro avg", "weighted avg", "micro avg":
			if !blank {
				b.WriteString("\n")
				blank = true
			}
		}
		fmt.Fprintf(b, "%*s %9.2f %9.2f %9.2f %9d\n", width, r.Class, r.Precision, r.Recall, r.F1, r.Support)
	}
}

// writeConfusion prints the confusion matrix with class names on both axes (columns by their
// first letters when the names are long).
func writeConfusion(b *strings.Builder, classes []string, m [][]int) {
	rowW := 4
	cell := 3
	for _, c := range classes {
		rowW = max(rowW, len([]rune(c)))
	}
	for _, row := range m {
		for _, v := range row {
			cell = max(cell, len(fmt.Sprint(v)))
		}
	}
	colName := func(c string) string {
		r := []rune(c)
		if len(r) > cell {
			return string(r[:cell])
		}
		return c
	}
	b.WriteString("confusion (rows: true, columns: predicted)\n")
	fmt.Fprintf(b, "%*s", rowW, "")
	for _, c := range classes {
		fmt.Fprintf(b, " %*s", cell, colName(c))
	}
	b.WriteString("\n")
	for i, row := range m {
		fmt.Fprintf(b, "%*s", rowW, classes[i])
		for _, v := range row {
			fmt.Fprintf(b, " %*d", cell, v)
		}
		b.WriteString("\n")
	}
}

func sortedKeys(ms ...map[string]float64) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// gridText is the comparison table of a grid: one row per cell.
func gridText(outcomes []runOutcome) string {
	var b strings.Builder
	var metricKeys []string
	for _, o := range outcomes {
		if o.result != nil {
			for _, k := range []string{"accuracy", "macro_f1", "mean_spearman", "loss"} {
				if _, ok := o.result.Metrics[k]; ok && !slices.Contains(metricKeys, k) {
					metricKeys = append(metricKeys, k)
				}
			}
		}
	}
	labelW := len("settings")
	for _, o := range outcomes {
		labelW = max(labelW, len(o.cell.grid.label()))
	}
	fmt.Fprintf(&b, "%-*s", labelW, "settings")
	for _, k := range metricKeys {
		fmt.Fprintf(&b, " %13s", k)
	}
	fmt.Fprintf(&b, " %6s %5s %9s  %s\n", "epochs", "best", "seconds", "folder")
	for _, o := range outcomes {
		fmt.Fprintf(&b, "%-*s", labelW, o.cell.grid.label())
		if o.result == nil {
			why := o.err
			if why == "" {
				why = "stopped before the first epoch ended"
			}
			fmt.Fprintf(&b, "  %s\n", why)
			continue
		}
		for _, k := range metricKeys {
			v, ok := o.result.Metrics[k]
			if !ok {
				v = math.NaN()
			}
			fmt.Fprintf(&b, " %13s", num(v, 4))
		}
		fmt.Fprintf(&b, " %6d %5d %9.1f  %s\n", o.result.Epochs, o.result.BestEpoch, o.result.TrainSeconds, o.cell.dir)
	}
	return b.String()
}
