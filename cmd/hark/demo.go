package main

import (
	"fmt"
	"io"

	"github.com/hark-audio/hark/engine/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", "--out DIR [--seed N] [--per-class N] [--seconds S] [--sr HZ]\n\n"+
		"Writes the built-in demo dataset as an ordinary class-folder dataset with a targets.csv manifest.", stdout)
	out := fs.String("out", "", "folder to write (created)")
	var opt demo.Options
	fs.Uint64Var(&opt.Seed, "seed", 1, "seed of every random choice")
	fs.IntVar(&opt.PerClass, "per-class", 24, "clips per class")
	fs.Float64Var(&opt.Seconds, "seconds", 2, "clip length in seconds")
	fs.IntVar(&opt.SampleRate, "sr", 16000, "sample rate in Hz")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "hark demo: unexpected argument %q (the folder goes after --out)\n", pos[0])
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "hark demo: --out DIR is required")
		return exitUsage
	}
	switch {
	case opt.Seed == 0:
		fmt.Fprintln(stderr, "hark demo: --seed 0: use a positive seed")
		return exitUser
	case opt.PerClass <= 0 || opt.PerClass > 10000:
		fmt.Fprintf(stderr, "hark demo: --per-class %d: must be between 1 and 10000\n", opt.PerClass)
		return exitUser
	case opt.Seconds <= 0 || opt.Seconds > 600:
		fmt.Fprintf(stderr, "hark demo: --seconds %g: must be between 0 and 600\n", opt.Seconds)
		return exitUser
	case opt.SampleRate < 4000 || opt.SampleRate > 192000:
		fmt.Fprintf(stderr, "hark demo: --sr %d: must be between 4000 and 192000\n", opt.SampleRate)
		return exitUser
	}
	clips, err := demo.Generate(*out, opt)
	if err != nil {
		fmt.Fprintf(stderr, "hark demo: %v\n", err)
		return exitUser
	}
	fmt.Fprintf(stdout, "wrote %d clips in %d classes to %s\n", len(clips), len(demo.Classes()), *out)
	return exitOK
}
