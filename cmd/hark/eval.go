package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/features/audio"
	"github.com/hark-audio/hark/sessions"
)

const evalSynopsis = `(--session FILE | --run DIR | --model FILE.hark) [--data DIR] [--layout NAME] [--split SPEC] [--predictions CSV] [--json]

Evaluates a trained model and prints the same report as hark train (--json: the same JSON
document). By default the model is scored on its own run's test split (the run's spec is read
from the session, or from spec.json beside the model). With --data it is scored on another
dataset: every item of it, or the test part of --split; items whose class the model does not
know are skipped and counted. --predictions writes id,true,pred,score, one row per evaluated
item, so that the report can be recomputed with other tools. With --session the evaluation is
added to the session file as an evaluate step.`

// evalRequest is what to evaluate.
type evalRequest struct {
	model string
	spec  train.RunSpec
	runID string
	// split is the partition scored: "test" (the split's test part, else its validation part)
	// or "all".
	split   string
	threads int
}

// evaluateModel scores a saved model. It is the in-command evaluation until engine/train
// exports its own (TODO(lead): replace with train.Evaluate when it exists, so that eval shares
// every line of the training run's data pipeline).
var evaluateModel = evaluateSaved

func runEval(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("eval", evalSynopsis, stdout)
	sessionPath := fs.String("session", "", "a session `FILE`: evaluate the model of its last run that saved one")
	runDir := fs.String("run", "", "a run `DIR` (the --out of hark train)")
	modelPath := fs.String("model", "", "a saved model `FILE` (model.hark)")
	data := fs.String("data", "", "score on another dataset `DIR` (every item, or the test part of --split)")
	layout := fs.String("layout", "", "the layout `NAME` of --data ("+layoutNames()+")")
	split := fs.String("split", "", "score the test part of this split `SPEC` (see hark train --help)")
	all := fs.Bool("all", false, "score every item of the dataset, not only the test split")
	predictions := fs.String("predictions", "", "write id,true,pred,score rows to `CSV`")
	asJSON := fs.Bool("json", false, "print the result as one JSON document on stdout")
	threads := fs.Int("threads", 0, "kernel goroutines `N` (0: all cores)")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "hark eval: unexpected argument %q (run 'hark eval --help')\n", pos[0])
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hark eval: "+format+"\n", a...)
		return exitUser
	}
	if *threads < 0 {
		return fail("--threads %d: must not be negative", *threads)
	}
	if *predictions != "" {
		if st, err := os.Stat(filepath.Dir(*predictions)); err != nil || !st.IsDir() {
			return fail("--predictions %q: the folder %s does not exist", *predictions, filepath.Dir(*predictions))
		}
	}
	var req evalRequest
	req.threads = *threads
	var sessionRunID string
	switch {
	case *sessionPath != "" && (*runDir != "" || *modelPath != ""), *runDir != "" && *modelPath != "":
		fmt.Fprintln(stderr, "hark eval: --session, --run and --model: give only one")
		return exitUsage
	case *sessionPath != "":
		run, err := lastSessionRun(*sessionPath)
		if err != nil {
			return fail("%v", err)
		}
		req.model, req.spec, req.runID, sessionRunID = run.model, run.spec, run.id, run.id
		if _, err := os.Stat(req.model); err != nil {
			return fail("--session %q: the model %s of %s: %v", *sessionPath, req.model, run.id, unwrapPath(err))
		}
	default:
		src, err := locateModel(*modelPath, "", *runDir)
		if err != nil {
			if errors.Is(err, errNoModelFlag) {
				fmt.Fprintf(stderr, "hark eval: %v (run 'hark eval --help')\n", err)
				return exitUsage
			}
			return fail("%v", err)
		}
		req.model = src.model
		req.runID = filepath.Base(filepath.Dir(src.model))
		if id := runIDBeside(src.model); id != "" {
			req.runID = id
		}
		switch {
		case src.spec != nil:
			req.spec = *src.spec
		case *data == "":
			return fail("--model %q: no %s beside it to say which data it was trained on: give --data DIR (and --layout, --split)", req.model, runSpecFile)
		default:
			req.spec = train.RunSpec{Version: train.SpecVersion, Seed: 1}
		}
	}
	req.split = "test"
	if *data != "" {
		if _, err := os.Stat(*data); err != nil {
			return fail("--data %q: %v", *data, unwrapPath(err))
		}
		segs := req.spec.Dataset.Spec.Segments
		req.spec.Dataset = train.DatasetRef{Spec: dataset.Spec{Root: *data, Segments: segs}}
		req.spec.Split = ""
		req.split = "all"
	}
	if *layout != "" {
		if err := applyLayout(&req.spec, *layout); err != nil {
			return fail("--layout %q: %v", *layout, err)
		}
		if *layout == dataset.LayoutSpeechCommands12 && req.spec.Dataset.Spec.Keywords == nil {
			req.spec.Dataset.Spec.Keywords = &dataset.KeywordSpec{Seed: req.spec.Seed}
		}
	}
	if *split != "" {
		if err := applySplit(&req.spec, *split); err != nil {
			return fail("--split %q: %v", *split, err)
		}
		req.split = "test"
	}
	if *all {
		req.split = "all"
	}

	res, skipped, err := evaluateModel(context.Background(), req)
	if err != nil {
		return fail("%v", err)
	}
	if skipped > 0 {
		fmt.Fprintf(stderr, "hark eval: %d items skipped (their class is not one the model knows, or their audio could not be read)\n", skipped)
	}
	if *predictions != "" {
		if err := eval.WritePredictionsFile(*predictions, res.Predictions); err != nil {
			return fail("--predictions %q: %v", *predictions, err)
		}
	}
	if *sessionPath != "" {
		var ref *sessions.DatasetRef
		if *data != "" {
			ref = &sessions.DatasetRef{Path: *data, Layout: *layout}
		}
		res.Session = *sessionPath
		if err := recordEvaluation(*sessionPath, sessionRunID, ref, res.Split, res); err != nil {
			fmt.Fprintf(stderr, "hark eval: --session %q: the evaluation was not recorded: %v\n", *sessionPath, err)
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, resultDoc(res, nil)); err != nil {
			return fail("%v", err)
		}
		return exitOK
	}
	io.WriteString(stdout, resultText(res))
	return exitOK
}

// evaluateSaved scores a saved classification or regression model on audio: the catalog of
// the request's dataset, its split (the run's resolved split, with the run's seed) and the
// features of each item computed as in training. It returns the result and the number of
// items skipped.
func evaluateSaved(ctx context.Context, req evalRequest) (*train.Result, int, error) {
	pm, err := loadPredictor(req.model, req.threads)
	if err != nil {
		return nil, 0, err
	}
	cat, err := dataset.Open(req.spec.Dataset.Spec)
	if err != nil {
		return nil, 0, err
	}
	if cat.Task == dataset.Pairs {
		return nil, 0, fmt.Errorf("%s is a pair dataset: evaluating pair models is not supported by hark eval yet", cat.Root)
	}
	idx := make([]int, len(cat.Items))
	for i := range idx {
		idx[i] = i
	}
	split := req.split
	if split != "all" {
		spec := req.spec.Split
		if spec == "" {
			spec = "random:0.8,0.1,0.1"
		}
		ss, err := dataset.ParseSplitSpec(spec)
		if err != nil {
			return nil, 0, fmt.Errorf("split: %w", err)
		}
		ss.Seed = req.spec.Seed
		sp, err := dataset.Split(cat, ss)
		if err != nil {
			return nil, 0, err
		}
		idx, split = sp.Folds[0].Test, "test"
		if len(idx) == 0 {
			idx, split = sp.Folds[0].Val, "val"
		}
		if len(idx) == 0 {
			return nil, 0, fmt.Errorf("split %s of %s has no test or validation items (use --all)", spec, cat.Root)
		}
	}
	res := &train.Result{RunID: req.runID, Task: pm.task(), Split: split, Classes: pm.classes, Metrics: train.Floats{}}
	classIndex := map[string]int{}
	for i, c := range pm.classes {
		classIndex[c] = i
	}
	k := pm.model.Outputs()
	size := pm.model.SampleSize()
	skipped := 0
	// Inputs first (a file's segments share one decode), then one prediction pass.
	var use []int     // catalog indices of the inputs
	var classes []int // their true classes (classification)
	var x []float32
	var decodedPath string
	var decoded []float32
	rate := 0
	for _, i := range idx {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		it := cat.Items[i]
		cls := -1
		if pm.softmax {
			c, ok := classIndex[it.Label]
			if !ok {
				skipped++
				continue
			}
			cls = c
		}
		if decodedPath != it.Path {
			var err error
			decoded, rate, err = audio.LoadMono(it.Path, pm.features.Config.SR)
			if err != nil {
				decodedPath, decoded = "", nil
				skipped++
				continue
			}
			decodedPath = it.Path
		}
		y := decoded
		if it.Length > 0 {
			start := int(math.Round(it.Offset.Seconds() * float64(rate)))
			n := int(math.Round(it.Length.Seconds() * float64(rate)))
			if start+n > len(y) {
				skipped++
				continue
			}
			y = y[start : start+n]
		}
		r, err := pm.ex.Samples(y, rate)
		if err != nil {
			skipped++
			continue
		}
		in, err := modelInput(pm.features, pm.meta.Norm, r.Matrix, pm.model.Spec().Input)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %v", it.Path, err)
		}
		if len(in) != size {
			return nil, 0, fmt.Errorf("%s: %d input values, the model takes %d", it.Path, len(in), size)
		}
		x = append(x, in...)
		use, classes = append(use, i), append(classes, cls)
	}
	if len(use) == 0 {
		return nil, skipped, fmt.Errorf("%s: no item could be evaluated (%d skipped)", cat.Root, skipped)
	}
	out, err := pm.model.Predict(nil, x)
	if err != nil {
		return nil, 0, err
	}
	var items []eval.Classified
	var segs []eval.Segment
	var yt, yp [][]float64
	loss := 0.0
	for n, i := range use {
		it, row := cat.Items[i], out[n*k:(n+1)*k]
		if pm.softmax {
			c := eval.Classified{ID: it.ID, True: classes[n], Probs: make([]float64, k)}
			for j, v := range row {
				c.Probs[j] = float64(v)
			}
			loss -= math.Log(max(c.Probs[c.True], 1e-7))
			items = append(items, c)
			if it.Parent != "" {
				segs = append(segs, eval.Segment{Clip: it.Parent, Classified: c})
			}
			continue
		}
		t := make([]float64, len(pm.targets))
		pv := make([]float64, len(pm.targets))
		for j, name := range pm.targets {
			v, ok := it.Targets[name]
			if !ok {
				return nil, 0, fmt.Errorf("%s: no value for target %q", it.ID, name)
			}
			t[j], pv[j] = v, float64(row[j])
			loss += (pv[j] - v) * (pv[j] - v) / float64(len(pm.targets))
		}
		yt, yp = append(yt, t), append(yp, pv)
	}
	res.Metrics["loss"] = loss / float64(len(use))
	if !pm.softmax {
		rm, err := eval.RegressionTargets(pm.targets, yt, yp)
		if err != nil {
			return nil, 0, err
		}
		res.Spearman, res.Pearson, res.MSE = train.Floats{}, train.Floats{}, train.Floats{}
		sum, n, mse := 0.0, 0, 0.0
		for _, t := range rm {
			res.Spearman[t.Target], res.Pearson[t.Target], res.MSE[t.Target] = t.Spearman, t.Pearson, t.MSE
			mse += t.MSE / float64(len(rm))
			if !math.IsNaN(t.Spearman) {
				sum += t.Spearman
				n++
			}
		}
		res.Metrics["mean_spearman"] = math.NaN()
		if n > 0 {
			res.Metrics["mean_spearman"] = sum / float64(n)
		}
		res.Metrics["mse"] = mse
		return res, skipped, nil
	}
	rows, err := eval.ClassRows(pm.classes, items)
	if err != nil {
		return nil, 0, err
	}
	res.Items, res.Predictions = items, rows
	yT, yP := eval.Columns(rows)
	rep, err := eval.NewReport(yT, yP, pm.classes)
	if err != nil {
		return nil, 0, err
	}
	conf, err := eval.NewConfusion(yT, yP, pm.classes)
	if err != nil {
		return nil, 0, err
	}
	res.Confusion = conf.Counts
	for _, c := range rep.Classes {
		res.Report = append(res.Report, train.ReportRow{Class: c.Class, Precision: c.Precision, Recall: c.Recall, F1: c.F1, Support: c.Support})
	}
	res.Report = append(res.Report,
		train.ReportRow{Class: "accuracy", Precision: rep.Accuracy, Recall: rep.Accuracy, F1: rep.Accuracy, Support: len(rows)},
		train.ReportRow{Class: "macro avg", Precision: rep.Macro.Precision, Recall: rep.Macro.Recall, F1: rep.Macro.F1, Support: rep.Macro.Support},
		train.ReportRow{Class: "weighted avg", Precision: rep.Weighted.Precision, Recall: rep.Weighted.Recall, F1: rep.Weighted.F1, Support: rep.Weighted.Support})
	res.Metrics["accuracy"] = rep.Accuracy
	res.Metrics["macro_f1"] = rep.Macro.F1
	res.Metrics["weighted_f1"] = rep.Weighted.F1
	if len(segs) > 0 {
		v, err := eval.VoteClips(pm.classes, segs)
		if err != nil {
			return nil, 0, err
		}
		res.Metrics["clip_accuracy"] = v.VoteAccuracy
		res.Metrics["clips"] = float64(len(v.Clips))
	}
	return res, skipped, nil
}

// runIDBeside returns the run ID in the result.json beside a model, or "".
func runIDBeside(model string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(model), runResultFile))
	if err != nil {
		return ""
	}
	var r struct {
		RunID string `json:"run_id"`
	}
	if json.Unmarshal(b, &r) != nil {
		return ""
	}
	return r.RunID
}
