package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/train"
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

	ext, _ := cachedExtract()
	res, err := train.Evaluate(context.Background(), req.spec, req.model, train.EvalOptions{All: req.split == "all", Threads: req.threads, Extract: ext})
	if err != nil {
		return fail("%v", err)
	}
	res.RunID = req.runID
	if n := len(res.Problems); n > 0 {
		fmt.Fprintf(stderr, "hark eval: %d items skipped or files unreadable, e.g. %s\n", n, res.Problems[0])
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
