package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hark-audio/hark/models"
)

const benchUsage = `Usage: hark bench --model NAME|FILE --input CxHxW|TxF [--batch 64] [--iters N] [--json]

Trains a model on random data (forward, backward and an Adam step per batch, after warm-up)
and reports samples per second and peak memory. NAME is a preset (%s) or FILE a JSON
architecture spec.

Flags:
`

// benchResult is the --json document (../shared/CLI.md).
type benchResult struct {
	Model            string  `json:"model"`
	Input            string  `json:"input"`
	Batch            int     `json:"batch"`
	SamplesPerSecond float64 `json:"samples_per_second"`
	PeakRSSBytes     int64   `json:"peak_rss_bytes"`
	Params           int     `json:"params"`
}

func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "preset name or JSON spec file")
	input := fs.String("input", "", "sample shape, CxHxW or TxF (e.g. 1x216x13)")
	batch := fs.Int("batch", 64, "batch size")
	iters := fs.Int("iters", 20, "timed steps (median of blocks of 5 when there are at least 10)")
	classes := fs.Int("classes", 0, "softmax outputs (default: 10 for gtzan-cnn and bilstm, as shared/bench, 12 otherwise)")
	threads := fs.Int("threads", 0, "kernel goroutines (default GOMAXPROCS)")
	seed := fs.Uint64("seed", 1, "seed for the weights and the random data")
	asJSON := fs.Bool("json", false, "print one JSON document")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), benchUsage, strings.Join(models.PresetNames(), ", "))
		fs.PrintDefaults()
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(stdout)
			fs.Usage()
			return exitOK
		}
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hark bench: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *model == "" || *input == "" {
		fmt.Fprintln(stderr, "hark bench: --model and --input are required")
		return exitUsage
	}
	if *batch <= 0 || *iters <= 0 || *classes < 0 || *threads < 0 {
		fmt.Fprintf(stderr, "hark bench: --batch %d, --iters %d, --classes %d and --threads %d must be positive\n", *batch, *iters, *classes, *threads)
		return exitUser
	}
	shape, err := models.ParseShape(*input)
	if err != nil {
		fmt.Fprintf(stderr, "hark bench: --input: %v\n", err)
		return exitUser
	}
	spec, err := benchSpec(*model, shape, *classes)
	if err != nil {
		fmt.Fprintf(stderr, "hark bench: %v\n", err)
		return exitUser
	}
	res, err := bench(spec, *batch, *iters, *threads, *seed, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hark bench: %v\n", err)
		return exitUser
	}
	res.Model, res.Input = *model, *input
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	fmt.Fprintf(stdout, "%s on %s, batch %d, %d parameters: %.1f samples/s, peak RSS %.2f GB\n",
		res.Model, res.Input, res.Batch, res.Params, res.SamplesPerSecond, float64(res.PeakRSSBytes)/1e9)
	return exitOK
}

// benchSpec resolves --model: a preset name, else a spec file (whose input shape --input
// replaces).
func benchSpec(name string, shape []int, classes int) (models.Spec, error) {
	for _, p := range models.PresetNames() {
		if p == name {
			if classes == 0 {
				classes = 12
				if name == "gtzan-cnn" || name == "bilstm" {
					classes = 10
				}
			}
			return models.Preset(name, shape, classes)
		}
	}
	if _, err := os.Stat(name); err != nil {
		return models.Spec{}, fmt.Errorf("--model %q is neither a preset (%s) nor a readable spec file", name, strings.Join(models.PresetNames(), ", "))
	}
	s, err := models.LoadSpec(name)
	if err != nil {
		return s, err
	}
	s.Input = shape
	if classes > 0 {
		s.Head.Outputs = classes
	}
	return s, nil
}

// bench times iters training steps after three warm-up steps, on four random batches used in
// turn (as shared/bench/torch_reference.py does). With at least 10 steps it reports the median
// over blocks of 5 steps, which resists other processes' bursts on a shared machine.
func bench(spec models.Spec, batch, iters, threads int, seed uint64, progress io.Writer) (benchResult, error) {
	m, err := models.Build(spec, models.Options{Seed: seed, Batch: batch, Threads: threads})
	if err != nil {
		return benchResult{}, err
	}
	r := rand.New(rand.NewPCG(seed, 99))
	const nb = 4
	xs, ys := make([][]float32, nb), make([][]float32, nb)
	for i := range xs {
		xs[i] = make([]float32, batch*m.SampleSize())
		for j := range xs[i] {
			xs[i][j] = float32(r.NormFloat64())
		}
		ys[i] = make([]float32, batch*m.TargetSize())
		for s := 0; s < batch; s++ {
			for _, h := range m.Heads() {
				y := ys[i][s*m.TargetSize()+h.TargetOffset:]
				switch h.Kind {
				case models.HeadSoftmax:
					y[0] = float32(r.IntN(h.Outputs))
				case models.HeadSigmoid:
					for j := 0; j < h.Outputs; j++ {
						y[j] = float32(r.IntN(2))
					}
				default:
					for j := 0; j < h.Outputs; j++ {
						y[j] = float32(r.NormFloat64())
					}
				}
			}
		}
	}
	step := func(i int) error {
		_, err := m.Step(xs[i%nb], ys[i%nb], 1e-3)
		return err
	}
	for i := 0; i < 3; i++ {
		if err := step(i); err != nil {
			return benchResult{}, err
		}
	}
	fmt.Fprintf(progress, "bench: %s warmed up, timing %d steps of %d\n", spec.Name, iters, batch)
	block := iters
	if iters >= 10 {
		block = 5
	}
	var times []float64
	for done := 0; done < iters; done += block {
		n := min(block, iters-done)
		t0 := time.Now()
		for i := 0; i < n; i++ {
			if err := step(done + i); err != nil {
				return benchResult{}, err
			}
		}
		times = append(times, float64(n*batch)/time.Since(t0).Seconds())
	}
	sort.Float64s(times)
	rss, err := peakRSS()
	if err != nil {
		fmt.Fprintf(progress, "bench: peak RSS unavailable: %v\n", err)
	}
	return benchResult{Batch: batch, SamplesPerSecond: times[len(times)/2], PeakRSSBytes: rss, Params: m.NumParams()}, nil
}

// peakRSS reads the process's peak resident set size (VmHWM) from /proc on Linux.
func peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}
