// Command hark is a terminal workbench for audio machine learning. This file only dispatches
// subcommands; each lives in its own file and turns flags into engine, tui or sessions calls.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/hark-audio/hark/engine"
)

// Exit codes shared by every command (../shared/CLI.md).
const (
	exitOK    = 0
	exitUser  = 1 // bad file, bad flag value
	exitUsage = 2 // unknown command or flag
)

// command is one `hark NAME` subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"bench", "train a model on random data and report samples/s", runBench},
		{"cache", "show or clear the on-disk feature cache", runCache},
		{"demo", "write the built-in demo dataset to a folder", runDemo},
		{"eval", "evaluate a trained model: report, confusion matrix, predictions CSV", runEval},
		{"features", "compute, export or draw librosa-exact features of audio files", runFeatures},
		{"inspect", "describe a dataset folder: layout, classes, splits, problems", runInspect},
		{"predict", "predict audio files with a trained model: per segment and per file", runPredict},
		{"replay", "play back, verify or summarise a session", runReplay},
		{"serve", "serve the workbench over SSH: many users, one engine", runServe},
		{"train", "train a model on a dataset folder and report on its test split", runTrain},
		{"version", "print the version", runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runWorkbench(nil, stdout, stderr)
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	case "--version":
		return runVersion(nil, stdout, stderr)
	}
	if strings.HasPrefix(args[0], "-") {
		// `hark --data DIR ...`: flags before any command belong to the workbench.
		return runWorkbench(args, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "hark: unknown command %q (run 'hark --help' for the list)\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Hark: a terminal workbench for audio machine learning.\n\n")
	b.WriteString("Usage:\n  hark [--data DIR]...        the workbench (the demo dataset without --data)\n  hark COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'hark COMMAND --help' for a command's flags.\n")
	io.WriteString(w, b.String())
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(stdout, "Usage: hark version\n\nPrints Hark's version, the Go toolchain and the platform.")
		return exitOK
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "hark version: unexpected argument %q\n", args[0])
		return exitUsage
	}
	fmt.Fprintf(stdout, "hark %s (%s, %s/%s)\n", engine.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
